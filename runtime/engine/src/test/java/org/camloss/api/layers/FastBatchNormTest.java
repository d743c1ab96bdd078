package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Set;
import java.util.stream.Stream;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
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
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link FastBatchNorm} computes what DL4J's {@link BatchNormalization} followed by an activation layer
 * computes: outputs in training and inference mode, score, every gradient, running statistics after a few
 * SGD steps; it passes a gradient check in double precision and survives serialisation.
 */
class FastBatchNormTest {
    private static final int CIN = 3;
    private static final int C = 5;
    private static final int H = 6;
    private static final int W = 4;
    private static final int CLASSES = 3;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(CNN2DFormat.NHWC, Activation.RELU, true),
                Arguments.of(CNN2DFormat.NHWC, Activation.IDENTITY, true),
                Arguments.of(CNN2DFormat.NCHW, Activation.RELU, true),
                Arguments.of(CNN2DFormat.NCHW, Activation.IDENTITY, false),
                Arguments.of(CNN2DFormat.NHWC, Activation.RELU6, false));
    }

    /** conv -> BN (DL4J's, then a separate activation layer; or the fast one with the activation) -> softmax. */
    private static MultiLayerNetwork net(
            boolean fast, CNN2DFormat format, Activation act, boolean logStd, DataType dt, double lr) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(dt)
                .updater(lr > 0 ? new Sgd(lr) : new NoOp())
                .list();
        b.layer(new ConvolutionLayer.Builder(3, 3)
                .nOut(C)
                .dataFormat(format)
                .convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY)
                .build());
        if (fast) {
            FastBatchNorm bn = FastBatchNorm.of(C, format, 1e-5, 0.9, act);
            bn.setUseLogStd(logStd);
            b.layer(bn);
        } else {
            b.layer(new BatchNormalization.Builder()
                    .nOut(C)
                    .dataFormat(format)
                    .eps(1e-5)
                    .decay(0.9)
                    .useLogStd(logStd)
                    .build());
            if (act != Activation.IDENTITY) {
                b.layer(new ActivationLayer.Builder().activation(act).build());
            }
        }
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(CLASSES)
                .activation(Activation.SOFTMAX)
                .build());
        b.setInputType(InputType.convolutional(H, W, CIN, format));
        MultiLayerNetwork n = new MultiLayerNetwork(b.build());
        n.init();
        return n;
    }

    private static INDArray input(CNN2DFormat format, DataType dt, int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        long[] shape = format == CNN2DFormat.NHWC ? new long[] {n, H, W, CIN} : new long[] {n, CIN, H, W};
        return Nd4j.randn(dt, shape).muli(2.0).addi(1.5); // an offset mean, as real activations have
    }

    private static INDArray labels(DataType dt, int n) {
        INDArray y = Nd4j.zeros(dt, n, CLASSES);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % CLASSES, 1.0);
        }
        return y;
    }

    /** Random γ, β, running mean and running variance, so that every parameter matters. */
    private static void randomiseBn(MultiLayerNetwork n) {
        Nd4j.getRandom().setSeed(99);
        org.deeplearning4j.nn.api.Layer bn = n.getLayer(1);
        bn.getParam("gamma")
                .assign(Nd4j.rand(bn.getParam("gamma").dataType(), 1, C).addi(0.5));
        bn.getParam("beta")
                .assign(Nd4j.randn(bn.getParam("beta").dataType(), 1, C).muli(0.3));
        bn.getParam("mean").assign(Nd4j.randn(bn.getParam("mean").dataType(), 1, C));
        if (bn.paramTable().containsKey("log10stdev")) {
            bn.getParam("log10stdev")
                    .assign(Nd4j.rand(bn.getParam("log10stdev").dataType(), 1, C)
                            .subi(0.5));
        } else {
            bn.getParam("var")
                    .assign(Nd4j.rand(bn.getParam("var").dataType(), 1, C).addi(0.2));
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tol * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }

    @ParameterizedTest(name = "{0} {1} logStd={2}")
    @MethodSource("cases")
    void matchesDl4jBatchNormForwardBackwardAndRunningStatistics(CNN2DFormat format, Activation act, boolean logStd) {
        DataType dt = DataType.FLOAT;
        MultiLayerNetwork ref = net(false, format, act, logStd, dt, 0.1);
        MultiLayerNetwork fast = net(true, format, act, logStd, dt, 0.1);
        randomiseBn(ref);
        fast.setParams(ref.params().dup());
        assertInstanceOf(FastBatchNormLayer.class, fast.getLayer(1));

        INDArray x = input(format, dt, 8, 1);
        INDArray y = labels(dt, 8);
        assertClose(ref.output(x, false), fast.output(x, false), 1e-5, "inference output");
        assertClose(ref.output(x, true), fast.output(x, true), 1e-5, "training-mode output");
        int refBn = act == Activation.IDENTITY ? 1 : 2; // the layer after BN (or its activation layer)
        assertClose(
                ref.feedForward(x, true).get(refBn + 1),
                fast.feedForward(x, true).get(2),
                1e-5,
                "BN + activation output");

        ref.setInput(x);
        ref.setLabels(y);
        ref.computeGradientAndScore();
        fast.setInput(x);
        fast.setLabels(y);
        fast.computeGradientAndScore();
        assertEquals(ref.score(), fast.score(), 1e-5 * Math.abs(ref.score()), "score");
        // the conv bias cannot change BN's output: its gradient is zero up to rounding in both
        assertTrue(ref.gradient().getGradientFor("0_b").amaxNumber().doubleValue() < 1e-5, "DL4J's conv bias gradient");
        assertTrue(fast.gradient().getGradientFor("0_b").amaxNumber().doubleValue() < 1e-5, "conv bias gradient");
        for (String p : new String[] {"0_W", "1_gamma", "1_beta", "1_mean", logStd ? "1_log10stdev" : "1_var"}) {
            // same names in both nets: the separate activation layer comes after BN and has no parameters
            assertClose(ref.gradient().getGradientFor(p), fast.gradient().getGradientFor(p), 1e-4, "gradient " + p);
        }

        for (int step = 0; step < 3; step++) {
            DataSet ds = new DataSet(input(format, dt, 8, 10 + step), y);
            ref.fit(ds);
            fast.fit(ds);
        }
        assertClose(ref.params(), fast.params(), 1e-4, "parameters (incl. running statistics) after 3 SGD steps");
        assertClose(ref.output(x, false), fast.output(x, false), 1e-4, "inference output after training");
    }

    @Test
    void denseInputMatchesToo() {
        DataType dt = DataType.FLOAT;
        MultiLayerNetwork[] nets = new MultiLayerNetwork[2];
        for (int i = 0; i < 2; i++) {
            NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                    .seed(3)
                    .dataType(dt)
                    .updater(new Sgd(0.1))
                    .list()
                    .layer(new DenseLayer.Builder()
                            .nIn(4)
                            .nOut(C)
                            .activation(Activation.IDENTITY)
                            .build());
            if (i == 0) {
                b.layer(new BatchNormalization.Builder().nOut(C).build());
                b.layer(new ActivationLayer.Builder()
                        .activation(Activation.RELU)
                        .build());
            } else {
                b.layer(FastBatchNorm.of(C, CNN2DFormat.NCHW, 1e-5, 0.9, Activation.RELU));
            }
            b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(C)
                    .nOut(CLASSES)
                    .activation(Activation.SOFTMAX)
                    .build());
            nets[i] = new MultiLayerNetwork(b.build());
            nets[i].init();
        }
        randomiseBn(nets[0]);
        nets[1].setParams(nets[0].params().dup());
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(dt, 16, 4).addi(1);
        for (int step = 0; step < 3; step++) {
            DataSet ds = new DataSet(x.mul(step + 1), labels(dt, 16));
            nets[0].fit(ds);
            nets[1].fit(ds);
        }
        assertClose(nets[0].params(), nets[1].params(), 1e-4, "parameters after 3 steps");
        assertClose(nets[0].output(x, false), nets[1].output(x, false), 1e-4, "inference output");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void passesGradientCheckInDoublePrecision(CNN2DFormat format, Activation act, boolean logStd) {
        DataType previousDefault = Nd4j.dataType();
        DataType previousFloating = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork n = net(true, format, act, logStd, DataType.DOUBLE, 0);
            randomiseBn(n);
            INDArray x = input(format, DataType.DOUBLE, 4, 2);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                    .net(n)
                    .input(x)
                    .labels(labels(DataType.DOUBLE, 4))
                    .excludeParams(Set.of("1_mean", "1_var", "1_log10stdev"))
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8));
            assertTrue(ok, "gradient check failed");
        } finally {
            Nd4j.setDefaultDataTypes(previousDefault, previousFloating);
        }
    }

    /**
     * The layer keeps its [1, C] views of γ, β and their gradients while DL4J's parameter and gradient views are the
     * same objects; a re-bound gradient array (DL4J makes new gradient views in {@code setBackpropGradientsViewArray})
     * must be written from then on. (Parameter views are made once, when the layer is instantiated.)
     */
    @Test
    void reboundGradientViewsAreWritten() {
        MultiLayerNetwork net = net(true, CNN2DFormat.NHWC, Activation.RELU, true, DataType.FLOAT, 0.1);
        randomiseBn(net);
        INDArray x = input(CNN2DFormat.NHWC, DataType.FLOAT, 8, 1);
        net.setInput(x);
        net.setLabels(labels(DataType.FLOAT, 8));
        net.computeGradientAndScore(); // the layer's views of the current arrays are made here
        org.deeplearning4j.nn.api.Layer bn = net.getLayer(1);
        INDArray grads = Nd4j.zeros(DataType.FLOAT, 1, bn.numParams());
        bn.setBackpropGradientsViewArray(grads);
        net.computeGradientAndScore();
        for (String p : new String[] {"1_gamma", "1_beta"}) {
            INDArray g = net.gradient().getGradientFor(p);
            assertTrue(g.amaxNumber().doubleValue() > 0, p + " lands in the new gradient array");
        }
        assertTrue(grads.amaxNumber().doubleValue() > 0, "the new gradient array is written");
    }

    @Test
    void survivesSerialisation() throws IOException {
        MultiLayerNetwork n = net(true, CNN2DFormat.NHWC, Activation.RELU, true, DataType.FLOAT, 0.1);
        randomiseBn(n);
        INDArray x = input(CNN2DFormat.NHWC, DataType.FLOAT, 4, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(n, bytes, true);
        MultiLayerNetwork back =
                ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertInstanceOf(
                FastBatchNorm.class,
                back.getLayerWiseConfigurations().getConf(1).getLayer());
        assertInstanceOf(FastBatchNormLayer.class, back.getLayer(1));
        assertEquals(n.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
        assertClose(n.output(x, false), back.output(x, false), 0, "output after a round trip");
        MultiLayerConfiguration fromJson =
                MultiLayerConfiguration.fromJson(n.getLayerWiseConfigurations().toJson());
        assertEquals(
                Activation.RELU.getActivationFunction(),
                fromJson.getConf(1).getLayer() instanceof FastBatchNorm f ? f.getActivationFn() : null);
    }

    @Test
    void dl4jBatchNormIgnoresItsActivation() {
        // why FastBatchNorm's activation matters: DL4J M2.1's own layer returns negative values under RELU
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .list()
                .layer(new BatchNormalization.Builder()
                        .nOut(C)
                        .activation(Activation.RELU)
                        .dataFormat(CNN2DFormat.NHWC)
                        .build());
        b.setInputType(InputType.convolutional(H, W, C, CNN2DFormat.NHWC));
        MultiLayerNetwork n = new MultiLayerNetwork(b.build());
        n.init();
        Nd4j.getRandom().setSeed(4);
        INDArray in = Nd4j.randn(DataType.FLOAT, 4, H, W, C);
        assertTrue(n.output(in, true).minNumber().doubleValue() < 0, "DL4J applied the activation after all");
    }

    @Test
    void lockedGammaBetaIsRejected() {
        FastBatchNorm bn = FastBatchNorm.of(C, CNN2DFormat.NHWC, 1e-5, 0.9, Activation.RELU);
        bn.setLockGammaBeta(true);
        NeuralNetConfiguration.ListBuilder b =
                new NeuralNetConfiguration.Builder().list().layer(bn);
        b.setInputType(InputType.convolutional(H, W, C, CNN2DFormat.NHWC));
        MultiLayerNetwork n = new MultiLayerNetwork(b.build());
        IllegalStateException e = assertThrows(IllegalStateException.class, n::init);
        assertEquals(
                "FastBatchNorm layer 'layer0': lockGammaBeta is not supported; use DL4J's BatchNormalization"
                        + " for a fixed gamma/beta",
                e.getMessage());
    }
}
