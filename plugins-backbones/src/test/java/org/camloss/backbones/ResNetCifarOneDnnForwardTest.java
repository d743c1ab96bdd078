package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FastConvolutionLayer;
import org.camloss.api.layers.FastConvolutionPaths;
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
 * A whole {@code resnet-cifar} model (float, NHWC) gives the same inference outputs, score and gradients, and the same
 * parameters after 3 SGD steps (learning rate 0.01, batch 16, as in {@code ResNetCifarOneDnnBackwardTest}), with its
 * convolutions' forward pass on the engine's cached oneDNN primitives as on libnd4j's helper
 * ({@value FastConvolutionLayer#FORWARD_PROPERTY}{@code =dl4j}), within 1e-4 of each array's largest value, and
 * every convolution took the path asked for. (Since both sides run oneDNN's {@code forward_inference} kernels, the
 * gradients come out bit for bit equal, so the paths are checked on the layers, not by a difference.)
 */
class ResNetCifarOneDnnForwardTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
    }

    private static void libnd4j(boolean libnd4j) {
        if (libnd4j) {
            System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
        } else {
            System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
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
    void matchesLibnd4jsForwardPass(int depth, int size, int channels) {
        Backbone backbone = Support.create(new ResNetCifarFactory(), Map.of(ResNetCifarFactory.DEPTH, depth));
        ComputationGraph ref = model(backbone, channels, size).graph();
        ComputationGraph onednn = model(backbone, channels, size).graph();
        onednn.setParams(ref.params().dup());
        Nd4j.getRandom().setSeed(9);
        int n = 16;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, size, size, channels);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % 10, 1.0);
        }
        libnd4j(true);
        INDArray[] refOut = ref.output(false, x);
        libnd4j(false);
        INDArray[] onednnOut = onednn.output(false, x);
        assertEquals(refOut.length, onednnOut.length, "outputs");
        for (int i = 0; i < refOut.length; i++) {
            assertClose(refOut[i], onednnOut[i], "inference output " + i);
        }
        long convolutions = FastConvolutionPaths.convolutions(ref);
        assertTrue(convolutions > 0, "convolutions");
        assertEquals(0, FastConvolutionPaths.nativeForward(ref), "convolutions on a oneDNN plan with the switch");
        assertEquals(convolutions, FastConvolutionPaths.nativeForward(onednn), "convolutions on a oneDNN plan");
        libnd4j(true);
        double refScore = step(ref, x, y);
        assertEquals(0, FastConvolutionPaths.nativeForward(ref), "training: convolutions on a plan with the switch");
        INDArray refGrad = ref.gradient().gradient().dup();
        libnd4j(false);
        double onednnScore = step(onednn, x, y);
        INDArray onednnGrad = onednn.gradient().gradient().dup();
        assertEquals(convolutions, FastConvolutionPaths.nativeForward(onednn), "training: convolutions on a plan");
        assertEquals(refScore, onednnScore, 1e-6 * Math.abs(refScore), "score");
        assertClose(refGrad, onednnGrad, "gradients");
        for (var e : ref.gradient().gradientForVariable().entrySet()) {
            assertClose(e.getValue(), onednn.gradient().getGradientFor(e.getKey()), e.getKey());
        }
        for (int s = 0; s < 3; s++) {
            Nd4j.getRandom().setSeed(20 + s);
            INDArray xs = Nd4j.rand(DataType.FLOAT, n, size, size, channels);
            libnd4j(true);
            ref.fit(new INDArray[] {xs}, new INDArray[] {y});
            libnd4j(false);
            onednn.fit(new INDArray[] {xs}, new INDArray[] {y});
        }
        assertClose(ref.params(), onednn.params(), "parameters after 3 SGD steps");
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
