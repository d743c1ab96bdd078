package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FastBatchNormLayer;
import org.camloss.api.layers.FastBatchNormPaths;
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
 * A whole {@code resnet-cifar} model (float, NHWC, training mode) has the same score (within 1e-5 relative) and
 * gradients (each within 1e-4 of its largest value) with its batch norms' training passes on the engine's oneDNN
 * primitives as on the layer's own path ({@value FastBatchNormLayer#PROPERTY}{@code =dl4j}), and close parameters
 * (running statistics included) after 3 SGD steps (learning rate 0.01, batch 16): within 1e-4 of the largest value, or
 * within 3× what a control run reaches, the own path started from parameters perturbed by float rounding (relative
 * 1e-6) — ResNet-20's 3 steps carry such differences to ~2e-4 (measured 16:35: oneDNN 1.35e-4, control 1.97e-4;
 * ResNet-8 1.1e-5 and 4e-6). Every batch norm reports the path it was asked to take.
 */
class ResNetCifarOneDnnBatchNormTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastBatchNormLayer.PROPERTY);
    }

    private static void own(boolean own) {
        System.setProperty(FastBatchNormLayer.PROPERTY, own ? "dl4j" : "onednn");
    }

    private static double step(ComputationGraph g, INDArray x, INDArray y) {
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        return g.score();
    }

    private static void assertPaths(ComputationGraph g, boolean own) {
        List<String> paths = FastBatchNormPaths.training(g);
        assertFalse(paths.isEmpty(), "no batch norm");
        for (String p : paths) {
            if (own) {
                assertEquals("dl4j | dl4j", p);
            } else {
                assertTrue(p.startsWith("forward ") && !p.contains("dl4j"), p);
            }
        }
    }

    @ParameterizedTest(name = "depth {0}, {1}x{1}x{2}")
    @CsvSource({"8, 28, 1", "20, 32, 3"})
    void trainingMatchesTheLayersOwnPath(int depth, int size, int channels) {
        Backbone backbone = Support.create(new ResNetCifarFactory(), Map.of(ResNetCifarFactory.DEPTH, depth));
        ComputationGraph own = model(backbone, channels, size).graph();
        ComputationGraph onednn = model(backbone, channels, size).graph();
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
        assertPaths(own, true);
        own(false);
        double onednnScore = step(onednn, x, y);
        INDArray onednnGrad = onednn.gradient().gradient().dup();
        assertPaths(onednn, false);
        assertEquals(ownScore, onednnScore, 1e-5 * Math.abs(ownScore), "score");
        assertClose(ownGrad, onednnGrad, "gradients");
        for (var e : own.gradient().gradientForVariable().entrySet()) {
            assertClose(e.getValue(), onednn.gradient().getGradientFor(e.getKey()), e.getKey());
        }
        // a control: the own path from parameters perturbed by float rounding (relative 1e-6), to show how far 3 SGD
        // steps of these tiny-batch nets carry differences of that size
        ComputationGraph control = model(backbone, channels, size).graph();
        INDArray perturbed = own.params().dup();
        Nd4j.getRandom().setSeed(4);
        perturbed.muli(Nd4j.rand(DataType.FLOAT, perturbed.shape())
                .subi(0.5)
                .muli(2e-6)
                .addi(1.0));
        control.setParams(perturbed);
        for (int s = 0; s < 3; s++) {
            Nd4j.getRandom().setSeed(20 + s);
            INDArray xs = Nd4j.rand(DataType.FLOAT, n, size, size, channels);
            own(true);
            own.fit(new INDArray[] {xs}, new INDArray[] {y});
            control.fit(new INDArray[] {xs}, new INDArray[] {y});
            assertPaths(own, true);
            own(false);
            onednn.fit(new INDArray[] {xs}, new INDArray[] {y});
            assertPaths(onednn, false);
        }
        double scale = own.params().amaxNumber().doubleValue();
        double ctrl = own.params().sub(control.params()).amaxNumber().doubleValue();
        double diff = own.params().sub(onednn.params()).amaxNumber().doubleValue();
        for (var e : own.paramTable().entrySet()) {
            INDArray o = onednn.paramTable().get(e.getKey());
            INDArray c = control.paramTable().get(e.getKey());
            System.out.println("DIAG " + e.getKey() + " oneDNN "
                    + e.getValue().sub(o).amaxNumber() + ", control "
                    + e.getValue().sub(c).amaxNumber() + " / " + e.getValue().amaxNumber());
        }
        System.out.println("DIAG depth " + depth + ": oneDNN " + diff + ", control " + ctrl + ", max " + scale);
        assertTrue(
                diff <= Math.max(1e-4 * scale, 3 * ctrl),
                "parameters after 3 SGD steps: max |difference| " + diff + " against max |value| " + scale
                        + " and the control's " + ctrl);
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
