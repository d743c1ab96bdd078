package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
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
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link FastBatchNormLayer}'s training passes on the engine's oneDNN batch-normalization primitives
 * ({@code org.camloss.engine.conv.DnnlBatchNormTraining}) against the layer's own path ({@value
 * FastBatchNormLayer#PROPERTY}{@code =dl4j}) and against a plain loop in double: the training output, the batch mean
 * and variance, the running statistics' update ({@code mean} and {@code log10stdev} or {@code var}), and dx, dγ, dβ,
 * for 1/3/16/64 channels on 28², 8² and 7² maps, batch 1 and 5, ReLU and identity; and a finite-difference gradient
 * check in float of a small network whose batch norm runs on oneDNN.
 *
 * <p>Tolerance 1e-4 of each array's largest absolute value, as the convolution tests: float sums over at most
 * M = 5·28² = 3920 values per channel, in different orders on the two paths (oneDNN's per-thread partial sums, BLAS
 * products with a vector of ones), differ by a few float ulps times √M (about 1e-5 relative), well inside it; a real
 * error (a wrong ε, an unbiased variance, a missing ReLU derivative, a sum over the wrong axis) moves some value by
 * 1e-3 or more. Where the double reference's pre-activation is within 1e-4 of 0, ReLU's derivative may differ between
 * float and double, so those elements of dx are left out of the comparison (they are a handful at most).
 */
class FastBatchNormNativeTrainingTest {
    private static final double TOLERANCE = 1e-4;
    private static final double EPS = 1e-5;
    private static final double DECAY = 0.9;

    static Stream<Arguments> cases() {
        // channels, height = width, batch, relu, log10stdev, the input's standard deviation (0.003: a variance of
        // 9e-6, where ε = 1e-5 changes every output by a third)
        return Stream.of(
                Arguments.of(1, 28, 5, true, true, 2.0),
                Arguments.of(1, 7, 1, false, false, 2.0),
                Arguments.of(3, 28, 1, true, false, 2.0),
                Arguments.of(3, 8, 5, false, true, 2.0),
                Arguments.of(16, 28, 5, true, true, 2.0),
                Arguments.of(16, 8, 1, true, false, 2.0),
                Arguments.of(16, 7, 5, false, true, 2.0),
                Arguments.of(64, 8, 5, true, true, 2.0),
                Arguments.of(64, 7, 1, true, false, 2.0),
                Arguments.of(64, 28, 1, false, false, 2.0),
                Arguments.of(16, 8, 5, true, true, 0.003),
                Arguments.of(3, 7, 5, false, false, 0.003));
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastBatchNormLayer.PROPERTY);
    }

    private static MultiLayerNetwork bnNet(int c, int hw, boolean relu, boolean logStd) {
        FastBatchNorm bn =
                FastBatchNorm.of(c, CNN2DFormat.NHWC, EPS, DECAY, relu ? Activation.RELU : Activation.IDENTITY);
        bn.setUseLogStd(logStd);
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .updater(new NoOp())
                .list()
                .layer(bn)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(hw, hw, c, CNN2DFormat.NHWC))
                .build());
        n.init();
        n.initGradientsView();
        FastBatchNormLayer l = (FastBatchNormLayer) n.getLayer(0);
        Nd4j.getRandom().setSeed(99);
        l.getParam("gamma").assign(Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
        l.getParam("beta").assign(Nd4j.randn(DataType.FLOAT, 1, c).muli(0.3));
        l.getParam("mean").assign(Nd4j.randn(DataType.FLOAT, 1, c));
        if (logStd) {
            l.getParam("log10stdev").assign(Nd4j.rand(DataType.FLOAT, 1, c).subi(0.5));
        } else {
            l.getParam("var").assign(Nd4j.rand(DataType.FLOAT, 1, c).addi(0.2));
        }
        return n;
    }

    /** Output, batch mean, batch variance, dx, dγ, dβ, running mean and running variance "gradients". */
    private static INDArray[] pass(FastBatchNormLayer l, INDArray x, INDArray dy, boolean logStd) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        // NaN in every array a pass must write, so that a value the other path left behind cannot pass for this one's
        l.getGradientsViewArray().assign(Float.NaN);
        if (l.batchStatistics()[0] != null) {
            l.batchStatistics()[0].assign(Float.NaN);
            l.batchStatistics()[1].assign(Float.NaN);
        }
        l.setInput(x, mgr);
        INDArray y = l.activate(true, mgr).dup();
        INDArray[] stats = l.batchStatistics();
        Pair<Gradient, INDArray> p = l.backpropGradient(dy.dup(), mgr);
        Gradient g = p.getFirst();
        return new INDArray[] {
            y,
            stats[0].dup(),
            stats[1].dup(),
            p.getSecond().dup(),
            g.getGradientFor("gamma").dup(),
            g.getGradientFor("beta").dup(),
            g.getGradientFor("mean").dup(),
            g.getGradientFor(logStd ? "log10stdev" : "var").dup()
        };
    }

    private static final String[] NAMES = {
        "output", "batch mean", "batch variance", "dx", "dgamma", "dbeta", "running mean update", "running var update"
    };

    /** The same quantities from a plain loop in double; {@code nearKink[i]}: |z| < 1e-4 at element i (ReLU only). */
    private static double[][] reference(
            float[] x,
            float[] dy,
            float[] gamma,
            float[] beta,
            float[] gMean,
            float[] gVarParam,
            int c,
            boolean relu,
            boolean logStd,
            boolean[] nearKink) {
        int m = x.length / c;
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < c; k++) {
                mean[k] += x[i * c + k];
            }
        }
        for (int k = 0; k < c; k++) {
            mean[k] /= m;
        }
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < c; k++) {
                double d = x[i * c + k] - mean[k];
                var[k] += d * d;
            }
        }
        double[] inv = new double[c];
        for (int k = 0; k < c; k++) {
            var[k] /= m; // biased
            inv[k] = 1 / Math.sqrt(var[k] + EPS);
        }
        double[] y = new double[x.length];
        double[] g = new double[x.length];
        double[] dBeta = new double[c];
        double[] dGamma = new double[c];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < c; k++) {
                int j = i * c + k;
                double xh = (x[j] - mean[k]) * inv[k];
                double z = gamma[k] * xh + beta[k];
                y[j] = relu ? Math.max(0, z) : z;
                g[j] = relu && z <= 0 ? 0 : dy[j];
                nearKink[j] = relu && Math.abs(z) < 1e-4;
                dBeta[k] += g[j];
                dGamma[k] += g[j] * xh;
            }
        }
        double[] dx = new double[x.length];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < c; k++) {
                int j = i * c + k;
                double xh = (x[j] - mean[k]) * inv[k];
                dx[j] = gamma[k] * inv[k] / m * (m * g[j] - dBeta[k] - xh * dGamma[k]);
            }
        }
        double[] dMean = new double[c];
        double[] dVar = new double[c];
        for (int k = 0; k < c; k++) {
            dMean[k] = (gMean[k] - mean[k]) * (1 - DECAY);
            if (logStd) {
                double vt = Math.pow(10, 2 * gVarParam[k]);
                double vt1 = DECAY * vt + (1 - DECAY) * var[k];
                dVar[k] = Math.log10(vt / vt1) / 2;
            } else {
                dVar[k] = (gVarParam[k] - var[k]) * (1 - DECAY);
            }
        }
        return new double[][] {y, mean, var, dx, dGamma, dBeta, dMean, dVar};
    }

    private static float[] floats(INDArray a) {
        return a.dup().reshape(a.length()).toFloatVector();
    }

    private static void assertClose(double[] expected, float[] actual, boolean[] skip, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1e-3;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            if (skip == null || !skip[i]) {
                diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
            }
        }
        assertTrue(diff <= TOLERANCE * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }

    private static double[] doubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    @ParameterizedTest(name = "C={0} {1}x{1} batch {2} relu={3} log10stdev={4} std={5}")
    @MethodSource("cases")
    void matchesTheLayersOwnPathAndAPlainLoop(int c, int hw, int batch, boolean relu, boolean logStd, double std) {
        MultiLayerNetwork n = bnNet(c, hw, relu, logStd);
        FastBatchNormLayer l = (FastBatchNormLayer) n.getLayer(0);
        Nd4j.getRandom().setSeed(11L * c + hw + batch);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, hw, hw, c).muli(std).addi(std > 1 ? 1.5 : 0.1);
        INDArray dy = Nd4j.randn(DataType.FLOAT, batch, hw, hw, c);

        System.setProperty(FastBatchNormLayer.PROPERTY, "dl4j");
        INDArray[] own = pass(l, x, dy, logStd);
        assertEquals("dl4j", l.trainingForwardPath(), "own path, forward");
        assertEquals("dl4j", l.trainingBackwardPath(), "own path, backward");
        System.clearProperty(FastBatchNormLayer.PROPERTY);
        INDArray[] onednn = pass(l, x, dy, logStd);
        assertTrue(l.trainingForwardPath().contains("forward"), "oneDNN path, forward: " + l.trainingForwardPath());
        assertEquals(l.trainingForwardPath(), l.trainingBackwardPath(), "oneDNN path, backward");
        assertEquals(relu, l.trainingForwardPath().endsWith("relu fused"), l.trainingForwardPath());

        String varName = logStd ? "log10stdev" : "var";
        boolean[] nearKink = new boolean[(int) x.length()];
        double[][] ref = reference(
                floats(x),
                floats(dy),
                floats(l.getParam("gamma")),
                floats(l.getParam("beta")),
                floats(l.getParam("mean")),
                floats(l.getParam(varName)),
                c,
                relu,
                logStd,
                nearKink);
        for (int i = 0; i < NAMES.length; i++) {
            boolean[] skip = i == 3 ? nearKink : null;
            assertClose(ref[i], floats(onednn[i]), skip, NAMES[i] + " (oneDNN vs double loop)");
            assertClose(ref[i], floats(own[i]), skip, NAMES[i] + " (own path vs double loop)");
            assertClose(doubles(floats(own[i])), floats(onednn[i]), skip, NAMES[i] + " (oneDNN vs own path)");
        }
    }

    /** Other activations, NCHW and inference keep the layer's own path. */
    @Test
    void otherActivationsKeepTheOwnPath() {
        FastBatchNorm bn = FastBatchNorm.of(4, CNN2DFormat.NHWC, EPS, DECAY, Activation.RELU6);
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .list()
                .layer(bn)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(5, 5, 4, CNN2DFormat.NHWC))
                .build());
        n.init();
        n.initGradientsView();
        FastBatchNormLayer l = (FastBatchNormLayer) n.getLayer(0);
        pass(l, Nd4j.randn(DataType.FLOAT, 2, 5, 5, 4), Nd4j.randn(DataType.FLOAT, 2, 5, 5, 4), true);
        assertEquals("dl4j", l.trainingForwardPath());
        assertEquals("dl4j", l.trainingBackwardPath());
    }

    /** conv (3×3, 3 → 4 channels) → batch norm (oneDNN) → softmax, float. */
    private static MultiLayerNetwork smallNet(boolean relu) {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(3)
                .dataType(DataType.FLOAT)
                .updater(new NoOp())
                .list()
                .layer(new FastConvolution(new ConvolutionLayer.Builder(3, 3)
                        .nOut(4)
                        .dataFormat(CNN2DFormat.NHWC)
                        .convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY)))
                .layer(FastBatchNorm.of(4, CNN2DFormat.NHWC, EPS, DECAY, relu ? Activation.RELU : Activation.IDENTITY))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(5, 4, 3, CNN2DFormat.NHWC))
                .build());
        n.init();
        Nd4j.getRandom().setSeed(5);
        n.getLayer(1).getParam("gamma").assign(Nd4j.rand(DataType.FLOAT, 1, 4).addi(0.5));
        n.getLayer(1).getParam("beta").assign(Nd4j.randn(DataType.FLOAT, 1, 4).muli(0.3));
        return n;
    }

    /**
     * A finite-difference gradient check in float (DL4J's {@code GradientCheckUtil} wants double, and the native path is
     * float only): every trainable parameter's analytic gradient against {@code (L(p + h) − L(p − h)) / 2h} with
     * {@code h = 2e-3} (DL4J's gradients are batch sums, divided here by the batch size), within 2 % relative or 2e-4
     * absolute (the score, ~1, is float: its rounding, 6e-8, divided by 2h is 1.5e-5; the third-order term of a smooth
     * loss at h = 2e-3 is ~1e-5 of the gradient). With ReLU, a parameter whose quotients at h and h/2 disagree (some
     * ReLU input crosses 0 within ±h, where a difference quotient is not a derivative) is skipped, at most a tenth of
     * them. Both passes report the oneDNN path; the layer's own path runs the same check as a control of the check.
     */
    @ParameterizedTest(name = "relu={0} own={1}")
    @org.junit.jupiter.params.provider.CsvSource({"true, false", "false, false", "true, true"})
    void passesAFloatGradientCheckOnTheOneDnnPath(boolean relu, boolean ownPath) {
        if (ownPath) {
            System.setProperty(FastBatchNormLayer.PROPERTY, "dl4j");
        }
        MultiLayerNetwork n = smallNet(relu);
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 5, 4, 3);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, (i * 2) % 3, 1.0);
        }
        DataSet ds = new DataSet(x, y);
        n.setInput(x);
        n.setLabels(y);
        n.computeGradientAndScore();
        FastBatchNormLayer bn = (FastBatchNormLayer) n.getLayer(1);
        assertTrue(
                ownPath || bn.trainingBackwardPath().contains("backward"), "oneDNN path: " + bn.trainingBackwardPath());
        // DL4J's gradients are sums over the batch (its updater divides by the batch size), the score a mean
        INDArray analytic = n.gradient().gradient().dup().divi(4);
        INDArray params = n.params();
        // the running statistics' "gradients" are updates, not derivatives of the score
        List<Long> skip = new ArrayList<>();
        long offset = 0;
        for (var e : n.paramTable().entrySet()) {
            long len = e.getValue().length();
            if (e.getKey().endsWith("_mean")
                    || e.getKey().endsWith("_log10stdev")
                    || e.getKey().endsWith("_var")) {
                for (long i = 0; i < len; i++) {
                    skip.add(offset + i);
                }
            }
            offset += len;
        }
        double h = 2e-3;
        int checked = 0;
        int kinks = 0;
        for (long i = 0; i < params.length(); i++) {
            if (skip.contains(i)) {
                continue;
            }
            double numeric = centralDifference(n, ds, params, i, h);
            double a = analytic.getDouble(i);
            if (relu
                    && Math.abs(numeric - centralDifference(n, ds, params, i, h / 2))
                            > 1e-4 + 1e-3 * Math.abs(numeric)) {
                kinks++; // a ReLU input crosses 0 within ±h: the difference quotient is not the derivative here
                continue;
            }
            double err = Math.abs(a - numeric);
            assertTrue(
                    err <= 2e-4 || err <= 0.02 * Math.max(Math.abs(a), Math.abs(numeric)),
                    "parameter " + i + ": analytic " + a + ", numeric " + numeric);
            checked++;
        }
        assertTrue(
                ownPath || bn.trainingForwardPath().contains("forward"),
                "numeric passes on oneDNN: " + bn.trainingForwardPath());
        assertTrue(checked > 100 && kinks <= checked / 10, "checked " + checked + ", skipped at a kink " + kinks);
    }

    private static double centralDifference(MultiLayerNetwork n, DataSet ds, INDArray params, long i, double h) {
        double p0 = params.getDouble(i);
        params.putScalar(i, p0 + h);
        double plus = n.score(ds, true);
        params.putScalar(i, p0 - h);
        double minus = n.score(ds, true);
        params.putScalar(i, p0);
        return (plus - minus) / (2 * h);
    }
}
