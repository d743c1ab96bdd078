package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link FastConvolutionLayer}'s backward pass on the engine's oneDNN primitives
 * ({@code org.camloss.engine.conv.DnnlConvolutionBackward}) against the layer's own path
 * ({@value FastConvolutionLayer#BACKWARD_PROPERTY}{@code =dl4j}: libnd4j's {@code conv2d_bp} or Change 9's two forward
 * convolutions) and against DL4J's {@link ConvolutionLayer}: input, weight and bias gradients, and parameters after 3
 * SGD steps, within 1e-4 of the largest value, for 1/3/16/64 channels, stride 1 and 2, 1×1 and 3×3 kernels,
 * {@code Same} and {@code Truncate}, batch 1 and 5.
 */
class FastConvolutionNativeBackwardTest {
    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> cases() {
        // in, out, kernel, stride, mode, batch, bias, height, width
        return Stream.of(
                Arguments.of(1, 16, 3, 1, ConvolutionMode.Same, 5, true, 9, 8),
                Arguments.of(3, 16, 3, 1, ConvolutionMode.Same, 1, false, 9, 8),
                Arguments.of(16, 16, 3, 1, ConvolutionMode.Same, 5, false, 8, 8),
                Arguments.of(16, 32, 3, 2, ConvolutionMode.Same, 5, false, 9, 8),
                Arguments.of(16, 32, 1, 2, ConvolutionMode.Same, 5, false, 8, 8),
                Arguments.of(32, 64, 3, 2, ConvolutionMode.Same, 1, true, 7, 7),
                Arguments.of(64, 64, 3, 1, ConvolutionMode.Same, 1, true, 9, 10),
                Arguments.of(64, 64, 3, 2, ConvolutionMode.Truncate, 5, true, 20, 18),
                Arguments.of(3, 16, 3, 2, ConvolutionMode.Truncate, 5, false, 10, 9),
                Arguments.of(16, 64, 1, 1, ConvolutionMode.Truncate, 1, true, 5, 6),
                Arguments.of(1, 3, 3, 1, ConvolutionMode.Truncate, 5, true, 9, 8),
                Arguments.of(64, 16, 1, 1, ConvolutionMode.Same, 5, false, 4, 4));
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastConvolutionLayer.BACKWARD_PROPERTY);
    }

    private static MultiLayerNetwork net(
            boolean fast, int in, int out, int k, int s, ConvolutionMode mode, boolean bias, int h, int w) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(new int[] {k, k}, new int[] {s, s})
                .nOut(out)
                .hasBias(bias)
                .activation(Activation.IDENTITY)
                .dataFormat(CNN2DFormat.NHWC)
                .convolutionMode(mode);
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .list()
                .layer(fast ? new FastConvolution(b) : b.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(h, w, in, CNN2DFormat.NHWC))
                .build());
        n.init();
        return n;
    }

    private static INDArray input(long seed, int n, int h, int w, int c) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, n, h, w, c);
    }

    private static INDArray labels(int n) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        return y;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.length(), actual.length(), what + ": length");
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff =
                expected.sub(actual.reshape(expected.shape())).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }

    /** Input gradient, then the convolution's bias and weight gradients (copied). */
    private static INDArray[] gradients(MultiLayerNetwork n, INDArray x, INDArray y, boolean bias) {
        Pair<Gradient, INDArray> p = n.calculateGradients(x, y, null, null);
        INDArray wGrad = p.getFirst().getGradientFor("0_W").dup();
        INDArray bGrad = bias ? p.getFirst().getGradientFor("0_b").dup() : Nd4j.zeros(DataType.FLOAT, 1);
        return new INDArray[] {p.getSecond().dup(), wGrad, bGrad};
    }

    /** 64→64 channels on an 8×8 map: libnd4j's generic op measured faster, so the provider declines it. */
    @Test
    void leavesWideConvolutionsOnSmallMapsToTheLayersOwnPath() {
        MultiLayerNetwork n = net(true, 64, 64, 3, 1, ConvolutionMode.Same, true, 8, 8);
        gradients(n, input(2, 2, 8, 8, 64), labels(2), true);
        assertNull(((FastConvolutionLayer) n.getLayer(0)).nativeBackwardDescription(), "64->64 on 8x8");
        MultiLayerNetwork wider = net(true, 64, 64, 3, 1, ConvolutionMode.Same, true, 9, 8);
        gradients(wider, input(2, 2, 9, 8, 64), labels(2), true);
        assertNotNull(((FastConvolutionLayer) wider.getLayer(0)).nativeBackwardDescription(), "64->64 on 9x8");
    }

    @ParameterizedTest(name = "{0}->{1} k{2} s{3} {4} batch {5} bias={6} {7}x{8}")
    @MethodSource("cases")
    void matchesTheLayersOwnPathAndDl4j(
            int in, int out, int k, int s, ConvolutionMode mode, int batch, boolean bias, int h, int w) {
        MultiLayerNetwork ref = net(false, in, out, k, s, mode, bias, h, w);
        MultiLayerNetwork fast = net(true, in, out, k, s, mode, bias, h, w);
        fast.setParams(ref.params().dup());
        INDArray x = input(1, batch, h, w, in);
        INDArray y = labels(batch);

        INDArray[] dl4j = gradients(ref, x, y, bias);
        System.setProperty(FastConvolutionLayer.BACKWARD_PROPERTY, "dl4j");
        INDArray[] own = gradients(fast, x, y, bias);
        assertNull(((FastConvolutionLayer) fast.getLayer(0)).nativeBackwardDescription(), "own path");
        System.clearProperty(FastConvolutionLayer.BACKWARD_PROPERTY);
        INDArray[] onednn = gradients(fast, x, y, bias);
        assertNotNull(((FastConvolutionLayer) fast.getLayer(0)).nativeBackwardDescription(), "oneDNN path");

        String[] names = {"input gradient", "weight gradient", "bias gradient"};
        for (int i = 0; i < 3; i++) {
            assertClose(own[i], onednn[i], names[i] + " (oneDNN vs own path)");
            assertClose(dl4j[i], onednn[i], names[i] + " (oneDNN vs DL4J's ConvolutionLayer)");
        }
        MultiLayerNetwork ownNet = net(true, in, out, k, s, mode, bias, h, w);
        ownNet.setParams(ref.params().dup());
        for (int step = 0; step < 3; step++) {
            DataSet ds = new DataSet(input(10 + step, batch, h, w, in), y);
            ref.fit(ds);
            fast.fit(ds);
            System.setProperty(FastConvolutionLayer.BACKWARD_PROPERTY, "dl4j");
            ownNet.fit(ds);
            System.clearProperty(FastConvolutionLayer.BACKWARD_PROPERTY);
        }
        assertClose(ownNet.params(), fast.params(), "parameters after 3 SGD steps (oneDNN vs own path)");
        assertClose(ref.params(), fast.params(), "parameters after 3 SGD steps (oneDNN vs DL4J)");
    }
}
