package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FastConvolutionLayer;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * A whole {@code resnet-cifar} model (float, NHWC, training mode) has the same score and gradients, and the same
 * parameters after 3 SGD steps (learning rate 0.01, batch 16), with its convolutions' backward pass on the engine's oneDNN primitives as on the
 * layers' own path ({@value FastConvolutionLayer#BACKWARD_PROPERTY}{@code =dl4j}), within 1e-4 of each array's largest
 * value; and not bit for bit, which shows that the two runs took different paths.
 */
class ResNetCifarOneDnnBackwardTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastConvolutionLayer.BACKWARD_PROPERTY);
    }

    private static void own(boolean own) {
        if (own) {
            System.setProperty(FastConvolutionLayer.BACKWARD_PROPERTY, "dl4j");
        } else {
            System.clearProperty(FastConvolutionLayer.BACKWARD_PROPERTY);
        }
    }

    private static double step(ComputationGraph g, INDArray x, INDArray y) {
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        return g.score();
    }

    @ParameterizedTest(name = "depth {0}, {1}x{1}x{2}")
    @CsvSource({"8, 28, 1", "20, 32, 3"})
    void gradientsMatchTheLayersOwnPath(int depth, int size, int channels) {
        Backbone backbone = Support.create(new ResNetCifarFactory(), Map.of(ResNetCifarFactory.DEPTH, depth));
        // SGD at 0.01: at the assembler's default 0.1 these tiny-batch nets are chaotic over 3 steps (a 1e-6
        // perturbation of the parameters moved them by 3e-3 (depth 8) and 3e-2 (depth 20) on the same path, the
        // oneDNN path by 4e-5 and 2e-3), and the comparison would measure that, not the backward pass
        CamModel a = model(backbone, channels, size);
        CamModel b = model(backbone, channels, size);
        ComputationGraph own = a.graph();
        ComputationGraph onednn = b.graph();
        onednn.setParams(own.params().dup());
        Nd4j.getRandom().setSeed(9);
        int n = 16;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, size, size, channels);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % 10, 1.0);
        }
        own(true);
        double ownScore = step(own, x, y);
        INDArray ownGrad = own.gradient().gradient().dup();
        own(false);
        double onednnScore = step(onednn, x, y);
        INDArray onednnGrad = onednn.gradient().gradient().dup();
        assertEquals(ownScore, onednnScore, 1e-6 * Math.abs(ownScore), "score");
        assertClose(ownGrad, onednnGrad, "gradients");
        // INDArray.equals allows 1e-5; bit for bit, the two paths sum in different orders
        assertTrue(ownGrad.sub(onednnGrad).amaxNumber().doubleValue() > 0, "the two runs took the same path");
        for (var e : own.gradient().gradientForVariable().entrySet()) {
            assertClose(e.getValue(), onednn.gradient().getGradientFor(e.getKey()), e.getKey());
        }
        for (int s = 0; s < 3; s++) {
            Nd4j.getRandom().setSeed(20 + s);
            INDArray xs = Nd4j.rand(DataType.FLOAT, n, size, size, channels);
            own(true);
            own.fit(new INDArray[] {xs}, new INDArray[] {y});
            own(false);
            onednn.fit(new INDArray[] {xs}, new INDArray[] {y});
        }
        for (var e : own.paramTable().entrySet()) {
            INDArray o = onednn.paramTable().get(e.getKey());
            System.out.println("DIAG " + e.getKey() + " " + e.getValue().sub(o).amaxNumber() + " / "
                    + e.getValue().amaxNumber());
        }
        assertClose(own.params(), onednn.params(), "parameters after 3 SGD steps");
    }

    private static CamModel model(Backbone backbone, int channels, int size) {
        return new ModelAssembler()
                .seed(1)
                .format(CNN2DFormat.NHWC)
                .updater(new Sgd(0.01))
                .assemble(backbone, new InputShape(channels, size, size), 10, Support.crossEntropy());
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-4 * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }
}
