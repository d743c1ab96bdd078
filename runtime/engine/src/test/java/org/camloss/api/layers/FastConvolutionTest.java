package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link FastConvolution} computes what DL4J's {@link ConvolutionLayer} computes (outputs, score, gradients,
 * parameters after SGD steps), on its fast NHWC path and on the paths it leaves to DL4J, and survives
 * serialisation.
 */
class FastConvolutionTest {
    private static final int H = 7;
    private static final int W = 6;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(CNN2DFormat.NHWC, false, Activation.IDENTITY, 1, ConvolutionMode.Same),
                Arguments.of(CNN2DFormat.NHWC, true, Activation.IDENTITY, 2, ConvolutionMode.Same),
                Arguments.of(CNN2DFormat.NHWC, true, Activation.RELU, 1, ConvolutionMode.Same),
                Arguments.of(CNN2DFormat.NHWC, false, Activation.IDENTITY, 1, ConvolutionMode.Truncate),
                Arguments.of(CNN2DFormat.NCHW, false, Activation.IDENTITY, 2, ConvolutionMode.Same));
    }

    private static ConvolutionLayer.Builder conv(
            int k, int stride, int out, boolean bias, Activation act, CNN2DFormat f, ConvolutionMode mode) {
        return new ConvolutionLayer.Builder(new int[] {k, k}, new int[] {stride, stride})
                .nOut(out)
                .hasBias(bias)
                .activation(act)
                .dataFormat(f)
                .convolutionMode(mode);
    }

    private static MultiLayerNetwork net(
            boolean fast, CNN2DFormat f, boolean bias, Activation act, int stride, ConvolutionMode mode) {
        return net(fast, f, bias, act, stride, mode, H, W);
    }

    private static MultiLayerNetwork net(
            boolean fast, CNN2DFormat f, boolean bias, Activation act, int stride, ConvolutionMode mode, int h, int w) {
        // the reference applies a non-identity activation in a layer of its own: DL4J M2.1's convolution with
        // its own ReLU and the oneDNN helper returns wrong weight gradients (values of 1e22 in this net)
        boolean separate = !fast && act != Activation.IDENTITY;
        ConvolutionLayer.Builder a = conv(3, stride, 4, bias, separate ? Activation.IDENTITY : act, f, mode);
        ConvolutionLayer.Builder b = conv(3, 1, 5, false, Activation.IDENTITY, f, mode);
        NeuralNetConfiguration.ListBuilder lb = new NeuralNetConfiguration.Builder()
                .seed(5)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .list()
                .layer(fast ? new FastConvolution(a) : a.build());
        if (separate) {
            lb.layer(new ActivationLayer.Builder().activation(act).build());
        }
        lb.layer(fast ? new FastConvolution(b) : b.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build());
        lb.setInputType(InputType.convolutional(h, w, 2, f));
        MultiLayerNetwork n = new MultiLayerNetwork(lb.build());
        n.init();
        return n;
    }

    private static INDArray input(CNN2DFormat f, long seed) {
        return input(f, seed, H, W);
    }

    private static INDArray input(CNN2DFormat f, long seed, int h, int w) {
        Nd4j.getRandom().setSeed(seed);
        return f == CNN2DFormat.NHWC ? Nd4j.randn(DataType.FLOAT, 6, h, w, 2) : Nd4j.randn(DataType.FLOAT, 6, 2, h, w);
    }

    private static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
        for (int i = 0; i < 6; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        return y;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }

    @ParameterizedTest(name = "{0} bias={1} {2} stride={3} {4}")
    @MethodSource("cases")
    void matchesDl4jConvolution(CNN2DFormat f, boolean bias, Activation act, int stride, ConvolutionMode mode) {
        MultiLayerNetwork ref = net(false, f, bias, act, stride, mode);
        MultiLayerNetwork fast = net(true, f, bias, act, stride, mode);
        fast.setParams(ref.params().dup());
        assertInstanceOf(FastConvolutionLayer.class, fast.getLayer(0));
        assertNotNull(fast.getLayer(0).getHelper(), "the oneDNN helper");
        INDArray x = input(f, 1);
        assertClose(ref.output(x, false), fast.output(x, false), "output");
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {ref, fast}) {
            n.setInput(x);
            n.setLabels(labels());
            n.computeGradientAndScore();
        }
        assertEquals(ref.score(), fast.score(), 1e-6 * Math.abs(ref.score()), "score");
        assertClose(ref.gradient().gradient(), fast.gradient().gradient(), "gradients");
        for (int s = 0; s < 3; s++) {
            DataSet ds = new DataSet(input(f, 10 + s), labels());
            ref.fit(ds);
            fast.fit(ds);
        }
        assertClose(ref.params(), fast.params(), "parameters after 3 SGD steps");
    }

    /**
     * On a 32×32 map both convolutions (2→4 and 4→5 channels) take the backward pass as two forward
     * convolutions (on the 7×6 maps above only the first, with 2 input channels, does).
     */
    @Test
    void backwardByForwardConvolutionsMatchesDl4jOnLargeMaps() {
        for (boolean bias : new boolean[] {false, true}) {
            MultiLayerNetwork ref =
                    net(false, CNN2DFormat.NHWC, bias, Activation.IDENTITY, 1, ConvolutionMode.Same, 32, 32);
            MultiLayerNetwork fast =
                    net(true, CNN2DFormat.NHWC, bias, Activation.IDENTITY, 1, ConvolutionMode.Same, 32, 32);
            fast.setParams(ref.params().dup());
            INDArray x = input(CNN2DFormat.NHWC, 2, 32, 32);
            FastConvolutionLayer second = (FastConvolutionLayer) fast.getLayer(1);
            assertTrue(
                    second.backwardByForward(
                            Nd4j.zeros(DataType.FLOAT, 6, 32, 32, 4), Nd4j.zeros(DataType.FLOAT, 6, 32, 32, 5)),
                    "the 4->5 convolution on 32x32 takes the forward-convolution backward pass");
            for (MultiLayerNetwork n : new MultiLayerNetwork[] {ref, fast}) {
                n.setInput(x);
                n.setLabels(labels());
                n.computeGradientAndScore();
            }
            assertEquals(ref.score(), fast.score(), 1e-6 * Math.abs(ref.score()), "score, bias=" + bias);
            assertClose(ref.gradient().gradient(), fast.gradient().gradient(), "gradients, bias=" + bias);
            for (int s = 0; s < 3; s++) {
                DataSet ds = new DataSet(input(CNN2DFormat.NHWC, 10 + s, 32, 32), labels());
                ref.fit(ds);
                fast.fit(ds);
            }
            assertClose(ref.params(), fast.params(), "parameters after 3 SGD steps, bias=" + bias);
        }
    }

    @Test
    void survivesSerialisation() throws IOException {
        MultiLayerNetwork n = net(true, CNN2DFormat.NHWC, false, Activation.IDENTITY, 2, ConvolutionMode.Same);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(n, bytes, true);
        MultiLayerNetwork back =
                ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertInstanceOf(
                FastConvolution.class,
                back.getLayerWiseConfigurations().getConf(0).getLayer());
        assertEquals(n.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
        INDArray x = input(CNN2DFormat.NHWC, 3);
        assertEquals(n.output(x, false), back.output(x, false));
    }
}
