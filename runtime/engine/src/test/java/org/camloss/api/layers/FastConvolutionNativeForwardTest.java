package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
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
 * {@link FastConvolutionLayer}'s forward pass on the engine's cached oneDNN primitives
 * ({@code org.camloss.engine.conv.DnnlConvolutionForward}) against libnd4j's {@code conv2d} (the layer with
 * {@value FastConvolutionLayer#FORWARD_PROPERTY}{@code =dl4j}) and against DL4J's {@link ConvolutionLayer}: the
 * layer's output in training and in inference mode, and the parameters after 3 SGD steps (against DL4J only without
 * ReLU: DL4J M2.1's weight gradients are wrong with one, see {@code FastConvolutionTest}), for the convolutions of
 * camloss's ResNets and their neighbours (1/3/16/32/64 channels in, stride 1 and 2, 1×1 and 3×3, {@code Same} and
 * {@code Truncate}, bias or none, ReLU or identity, batch 1 and 5).
 *
 * <p>Tolerance: 1e-5 of the largest output value. Both sides sum up to 64·9 = 576 float products per output in
 * different orders (oneDNN's blocked kernel against libnd4j's own call of oneDNN with other layouts, or DL4J's
 * im2col and gemm); with the inputs' N(0,1) values that rounding is of the order of √576·2⁻²⁴ ≈ 1.4e-6 of the largest
 * value, and an error of one term (a misplaced pixel, a missing bias) is of the order of 1e-1.
 */
class FastConvolutionNativeForwardTest {
    private static final double TOLERANCE = 1e-5;

    static Stream<Arguments> cases() {
        // in, out, kernel, stride, mode, batch, bias, relu, height, width
        return Stream.of(
                Arguments.of(1, 16, 3, 1, ConvolutionMode.Same, 5, true, false, 28, 28),
                Arguments.of(3, 16, 3, 1, ConvolutionMode.Same, 1, false, true, 9, 8),
                Arguments.of(16, 16, 3, 1, ConvolutionMode.Same, 5, false, false, 8, 8),
                Arguments.of(16, 16, 3, 1, ConvolutionMode.Same, 5, true, true, 14, 14),
                Arguments.of(16, 32, 3, 2, ConvolutionMode.Same, 5, false, false, 9, 8),
                Arguments.of(16, 32, 1, 2, ConvolutionMode.Same, 5, false, false, 8, 8),
                Arguments.of(32, 64, 3, 2, ConvolutionMode.Same, 1, true, true, 7, 7),
                Arguments.of(32, 64, 1, 2, ConvolutionMode.Same, 5, false, false, 16, 16),
                Arguments.of(64, 64, 3, 1, ConvolutionMode.Same, 5, false, false, 7, 7),
                Arguments.of(64, 64, 3, 1, ConvolutionMode.Same, 5, true, true, 8, 8),
                Arguments.of(64, 64, 3, 2, ConvolutionMode.Truncate, 5, true, false, 20, 18),
                Arguments.of(3, 16, 3, 2, ConvolutionMode.Truncate, 5, false, true, 10, 9),
                Arguments.of(16, 64, 1, 1, ConvolutionMode.Truncate, 1, true, false, 5, 6),
                Arguments.of(1, 3, 3, 1, ConvolutionMode.Truncate, 5, true, true, 9, 8));
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
    }

    private static MultiLayerNetwork net(
            boolean fast,
            int in,
            int out,
            int k,
            int s,
            ConvolutionMode mode,
            boolean bias,
            boolean relu,
            int h,
            int w) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(new int[] {k, k}, new int[] {s, s})
                .nOut(out)
                .hasBias(bias)
                .activation(relu ? Activation.RELU : Activation.IDENTITY)
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
        if (bias) { // DL4J starts biases at 0; a bias that is not 0 must show in the output
            Nd4j.getRandom().setSeed(3);
            n.getLayer(0).getParam("b").assign(Nd4j.randn(DataType.FLOAT, 1, out));
        }
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

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertEquals(expected.length(), actual.length(), what + ": length");
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff =
                expected.sub(actual.reshape(expected.shape())).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }

    /** The convolution layer's output (after its activation), copied. */
    private static INDArray output(MultiLayerNetwork n, INDArray x, boolean training) {
        return n.feedForwardToLayer(0, x, training).get(1).dup();
    }

    private static FastConvolutionLayer layer(MultiLayerNetwork n) {
        return (FastConvolutionLayer) n.getLayer(0);
    }

    @ParameterizedTest(name = "{0}->{1} k{2} s{3} {4} batch {5} bias={6} relu={7} {8}x{9}")
    @MethodSource("cases")
    void matchesLibnd4jAndDl4j(
            int in, int out, int k, int s, ConvolutionMode mode, int batch, boolean bias, boolean relu, int h, int w) {
        MultiLayerNetwork ref = net(false, in, out, k, s, mode, bias, relu, h, w);
        MultiLayerNetwork fast = net(true, in, out, k, s, mode, bias, relu, h, w);
        fast.setParams(ref.params().dup());
        INDArray x = input(1, batch, h, w, in);
        for (boolean training : new boolean[] {false, true}) {
            INDArray dl4j = output(ref, x, training);
            System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
            INDArray libnd4j = output(fast, x, training);
            assertNull(layer(fast).nativeForwardDescription(), "libnd4j path");
            System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
            INDArray onednn = output(fast, x, training);
            String ran = layer(fast).nativeForwardDescription();
            assertNotNull(ran, "oneDNN path");
            assertTrue(ran.startsWith(training ? "training " : "inference "), ran);
            assertClose(libnd4j, onednn, TOLERANCE, "output, training " + training + " (oneDNN vs libnd4j)");
            assertClose(dl4j, onednn, TOLERANCE, "output, training " + training + " (oneDNN vs DL4J)");
        }

        MultiLayerNetwork viaLibnd4j = net(true, in, out, k, s, mode, bias, relu, h, w);
        viaLibnd4j.setParams(ref.params().dup());
        INDArray y = labels(batch);
        for (int step = 0; step < 3; step++) {
            DataSet ds = new DataSet(input(10 + step, batch, h, w, in), y);
            ref.fit(ds);
            fast.fit(ds);
            System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
            viaLibnd4j.fit(ds);
            System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
        }
        // 1e-4 as in the backward pass's test: three steps at learning rate 0.1 carry the rounding differences on
        assertClose(viaLibnd4j.params(), fast.params(), 1e-4, "parameters after 3 SGD steps (oneDNN vs libnd4j)");
        if (!relu) { // with a ReLU, DL4J's own weight gradients are wrong (FastConvolutionTest); not a reference there
            assertClose(ref.params(), fast.params(), 1e-4, "parameters after 3 SGD steps (oneDNN vs DL4J)");
        }
    }

    /** A layer whose input is a view (not C-order contiguous) gets the same output as from a copy. */
    @Test
    void takesNonContiguousInput() {
        MultiLayerNetwork fast = net(true, 3, 16, 3, 1, ConvolutionMode.Same, true, false, 9, 8);
        INDArray nchw = input(5, 4, 3, 9, 8);
        INDArray view = nchw.permute(0, 2, 3, 1);
        INDArray expected = output(fast, view.dup('c'), false);
        assertClose(expected, output(fast, view, false), 0, "output of a permuted view");
        assertNotNull(layer(fast).nativeForwardDescription(), "oneDNN path");
    }

    /** A model saved and loaded again gives the same outputs, on the oneDNN path and on libnd4j's. */
    @Test
    void savedModelsLoadAndGiveTheSameOutputs() throws IOException {
        MultiLayerNetwork fast = net(true, 16, 32, 3, 2, ConvolutionMode.Same, true, true, 9, 8);
        INDArray x = input(6, 5, 9, 8, 16);
        fast.fit(new DataSet(x, labels(5)));
        INDArray before = fast.output(x);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(fast, bytes, true);
        MultiLayerNetwork loaded =
                ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertTrue(loaded.getLayer(0) instanceof FastConvolutionLayer, "the loaded layer");
        assertClose(before, loaded.output(x), 0, "output after loading (oneDNN)");
        assertNotNull(layer(loaded).nativeForwardDescription(), "oneDNN path");
        System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
        assertClose(before, loaded.output(x), TOLERANCE, "output after loading (libnd4j)");
    }

    @Test
    void aPlanRefusesArraysItCannotTake() {
        ConvolutionForward provider = java.util.ServiceLoader.load(ConvolutionForward.class)
                .findFirst()
                .orElseThrow();
        ConvolutionBackward.Geometry g =
                new ConvolutionBackward.Geometry(2, 5, 5, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true);
        ConvolutionForward.Plan plan = provider.plan(g, false).orElseThrow();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 5, 5, 3);
        INDArray w = Nd4j.rand(DataType.FLOAT, 4, 3, 3, 3);
        INDArray y = Nd4j.create(DataType.FLOAT, 2, 5, 5, 4);
        INDArray scratch = plan.scratchLength() == 0 ? null : Nd4j.create(DataType.FLOAT, plan.scratchLength());
        IllegalArgumentException noBias =
                assertThrows(IllegalArgumentException.class, () -> plan.forward(x, w, null, y, scratch));
        assertEquals("oneDNN forward: the plan needs a bias", noBias.getMessage());
        IllegalArgumentException dbl = assertThrows(
                IllegalArgumentException.class,
                () -> plan.forward(x.castTo(DataType.DOUBLE), w, Nd4j.rand(DataType.FLOAT, 4), y, scratch));
        assertEquals("oneDNN forward: float arrays only, found DOUBLE", dbl.getMessage());
    }

    /**
     * A sum plan (Change 16: a residual block's add and ReLU fused into its last convolution) adds the output's prior
     * contents to the convolution and bias, then applies ReLU where asked: against the plain plan's output plus the
     * prior contents, for a 3×3 stride-1, a 3×3 stride-2 and a 1×1 stride-2 geometry, with and without ReLU.
     */
    @ParameterizedTest(name = "{0}->{1} k{2} s{3} relu={4}")
    @org.junit.jupiter.params.provider.CsvSource({
        "16, 16, 3, 1, true",
        "16, 16, 3, 1, false",
        "16, 32, 3, 2, true",
        "16, 32, 1, 2, true",
        "32, 64, 1, 2, false"
    })
    void aSumPlanAddsTheOutputsPriorContents(int cin, int cout, int k, int s, boolean relu) {
        ConvolutionForward provider = java.util.ServiceLoader.load(ConvolutionForward.class)
                .findFirst()
                .orElseThrow();
        int n = 3;
        int h = 10;
        int oh = (h + s - 1) / s;
        int pad = k / 2;
        int padEnd = Math.max(0, (oh - 1) * s + k - h - pad);
        ConvolutionBackward.Geometry g = new ConvolutionBackward.Geometry(
                n, h, h, cin, oh, oh, cout, k, k, s, s, 1, 1, pad, pad, padEnd, padEnd, true);
        ConvolutionForward.Plan plain = provider.plan(g, false).orElseThrow();
        ConvolutionForward.Plan sum = provider.plan(g, false, relu, true).orElseThrow();
        assertTrue(
                sum.describe().contains("+ sum post-op" + (relu ? " + relu post-op" : ",")),
                "implementation: " + sum.describe());
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, h, h, cin).subi(0.5);
        INDArray w = Nd4j.rand(DataType.FLOAT, cout, cin, k, k).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, cout).subi(0.5);
        INDArray prior = Nd4j.rand(DataType.FLOAT, n, oh, oh, cout).subi(0.5).muli(4);
        INDArray expected = Nd4j.create(DataType.FLOAT, n, oh, oh, cout);
        plain.forward(x, w, b, expected, scratch(plain));
        expected.addi(prior);
        if (relu) {
            org.nd4j.linalg.ops.transforms.Transforms.relu(expected, false);
        }
        INDArray out = prior.dup();
        sum.forward(x, w, b, out, scratch(sum));
        assertClose(expected, out, 1e-5, "sum plan");
        assertTrue(relu == (out.minNumber().doubleValue() >= 0), "ReLU applied exactly with relu");
    }

    /**
     * 64→64 3×3 stride-1 inference plans on 8×8 maps run oneDNN's Winograd convolution (where the machine has one:
     * AVX-512) and give the direct convolution's output within float rounding, plain, with ReLU, and with the sum
     * post-op (the output's prior contents reordered into Winograd's layout first), also when the weights change
     * between calls (the plan keeps the transformed weights); training plans, 16×16 and 7×7 maps and
     * {@code camloss.convolution.winograd=false} stay direct.
     */
    @ParameterizedTest(name = "relu={0} sum={1}")
    @org.junit.jupiter.params.provider.CsvSource({"false, false", "true, false", "true, true", "false, true"})
    void winogradPlansMatchTheDirectConvolution(boolean relu, boolean sum) {
        ConvolutionForward provider = java.util.ServiceLoader.load(ConvolutionForward.class)
                .findFirst()
                .orElseThrow();
        int n = 4;
        ConvolutionBackward.Geometry g =
                new ConvolutionBackward.Geometry(n, 8, 8, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true);
        ConvolutionForward.Plan wino = provider.plan(g, false, relu, sum).orElseThrow();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                wino.describe().contains("wino"), "no Winograd kernel on this machine: " + wino.describe());
        ConvolutionForward.Plan training = provider.plan(g, true, relu, false).orElseThrow();
        assertTrue(!training.describe().contains("wino"), "a training plan stays direct: " + training.describe());
        ConvolutionBackward.Geometry wide =
                new ConvolutionBackward.Geometry(n, 16, 16, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true);
        assertTrue(!provider.plan(wide, false).orElseThrow().describe().contains("wino"), "a 16×16 map stays direct");
        ConvolutionBackward.Geometry seven =
                new ConvolutionBackward.Geometry(n, 7, 7, 64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true);
        assertTrue(
                !provider.plan(seven, false).orElseThrow().describe().contains("wino"),
                "a 7×7 map (not whole 4×4 tiles) stays direct");
        ConvolutionForward.Plan direct;
        System.setProperty("camloss.convolution.winograd", "false");
        try {
            direct = provider.plan(g, false, relu, false).orElseThrow();
        } finally {
            System.clearProperty("camloss.convolution.winograd");
        }
        assertTrue(!direct.describe().contains("wino"), "switched off: " + direct.describe());
        System.setProperty("camloss.convolution.winograd", "false");
        try {
            assertTrue(!wino.describe().contains("wino"), "switched off after the plan was made: " + wino.describe());
        } finally {
            System.clearProperty("camloss.convolution.winograd");
        }

        Nd4j.getRandom().setSeed(12);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 8, 8, 64).subi(0.5);
        INDArray w = Nd4j.rand(DataType.FLOAT, 64, 64, 3, 3).subi(0.5).muli(0.2);
        INDArray b = Nd4j.rand(DataType.FLOAT, 64).subi(0.5);
        INDArray prior = Nd4j.rand(DataType.FLOAT, n, 8, 8, 64).subi(0.5).muli(4);
        INDArray expected = reference(g, x, w, b, sum ? prior : null, relu);
        INDArray out = sum ? prior.dup() : Nd4j.create(DataType.FLOAT, n, 8, 8, 64);
        wino.forward(x, w, b, out, scratch(wino));
        assertClose(expected, out, 1e-4, "Winograd plan");
        // the plan keeps its transformed weights between calls: the same values again, then other values
        INDArray again = sum ? prior.dup() : Nd4j.create(DataType.FLOAT, n, 8, 8, 64);
        wino.forward(x, w.dup(), b, again, scratch(wino));
        assertClose(expected, again, 1e-4, "Winograd plan, the same weights in another array");
        INDArray w2 = w.mul(-1.5);
        INDArray expected2 = reference(g, x, w2, b, sum ? prior : null, relu);
        INDArray changed = sum ? prior.dup() : Nd4j.create(DataType.FLOAT, n, 8, 8, 64);
        wino.forward(x, w2, b, changed, scratch(wino));
        assertClose(expected2, changed, 1e-4, "Winograd plan after the weights changed");
        if (sum) {
            assertTrue(wino.describe().contains("prior contents"), wino.describe());
        }
    }

    /** The direct convolution (a training plan, no post-ops) plus {@code prior} where given, then ReLU where asked. */
    private static INDArray reference(
            ConvolutionBackward.Geometry g, INDArray x, INDArray w, INDArray b, INDArray prior, boolean relu) {
        ConvolutionForward.Plan plain = new org.camloss.engine.conv.DnnlConvolutionForward()
                .plan(g, true)
                .orElseThrow();
        INDArray y = Nd4j.create(DataType.FLOAT, g.n(), g.oh(), g.ow(), g.cout());
        plain.forward(x, w, b, y, scratch(plain));
        if (prior != null) {
            y.addi(prior);
        }
        if (relu) {
            org.nd4j.linalg.ops.transforms.Transforms.relu(y, false);
        }
        return y;
    }

    private static INDArray scratch(ConvolutionForward.Plan plan) {
        return plan.scratchLength() == 0 ? null : Nd4j.create(DataType.FLOAT, plan.scratchLength());
    }
}
