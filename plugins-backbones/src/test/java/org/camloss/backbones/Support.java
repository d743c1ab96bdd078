package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.LossTerm;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Shared helpers of the backbone tests: building, parameter counting and gradient checks. */
final class Support {
    private Support() {}

    static Backbone create(PluginFactory<Backbone> factory, Map<String, ?> params) {
        return factory.create(Params.resolve(factory.params(), params));
    }

    static Objective crossEntropy() {
        return Objective.of(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0)));
    }

    /** The backbone plus a {@code classes}-way head, float, NHWC. */
    static CamModel model(Backbone backbone, InputShape shape, int classes) {
        return new ModelAssembler().seed(1).format(CNN2DFormat.NHWC).assemble(backbone, shape, classes, crossEntropy());
    }

    /**
     * Trainable parameters of the whole model (backbone and head): everything except the BN running mean
     * and variance (stored by DL4J as parameters {@code mean} and {@code var} or {@code log10stdev}).
     */
    static long trainable(ComputationGraph g) {
        long trainable = 0;
        for (Layer l : g.getLayers()) {
            for (Map.Entry<String, INDArray> e : l.paramTable().entrySet()) {
                String k = e.getKey();
                if (!(k.equals("mean") || k.equals("var") || k.equals("log10stdev"))) {
                    trainable += e.getValue().length();
                }
            }
        }
        return trainable;
    }

    /** Trainable parameters of the backbone plus a {@code classes}-way head, built on a small input. */
    static long trainable(Backbone backbone, int inChannels, int classes) {
        return trainable(
                model(backbone, new InputShape(inChannels, 32, 32), classes).graph());
    }

    /**
     * Asserts {@code measured} agrees with a published figure: within {@code tolerance} (relative) or, where
     * the figure is rounded, equal to it after rounding to the published precision {@code unit}.
     */
    static void assertPublished(String what, long measured, double published, double unit, double tolerance) {
        double rel = Math.abs(measured - published) / published;
        boolean rounded = Math.round(measured / unit) == Math.round(published / unit);
        assertTrue(
                rel <= tolerance || rounded,
                what + ": " + measured + " trainable parameters, published " + published + " (relative difference "
                        + rel + ")");
    }

    /**
     * Runs DL4J's gradient check on the backbone plus a 3-way head, in double precision, with every BN
     * layer's decay set to 1 (see {@link ResNetCifarGradientCheckTest} for why: the running statistics then
     * have zero update and zero finite difference, wherever DL4J lays them out).
     *
     * @return whether the check passed
     */
    static boolean gradientCheck(Backbone backbone, InputShape shape, int maxParams) {
        DataType previousDefault = Nd4j.dataType();
        DataType previousFloating = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            int classes = 3;
            CamModel model = new ModelAssembler()
                    .seed(12345)
                    .dataType(DataType.DOUBLE)
                    .updater(new NoOp())
                    .assemble(backbone, shape, classes, crossEntropy());
            ComputationGraph graph = model.graph();
            for (Layer l : graph.getLayers()) {
                if (l.conf().getLayer() instanceof BatchNormalization bn) {
                    bn.setDecay(1.0);
                }
            }
            assertTrue(graph.numParams() <= maxParams, "too many parameters for a full check: " + graph.numParams());
            Nd4j.getRandom().setSeed(3);
            int n = 4;
            INDArray x = Nd4j.rand(DataType.DOUBLE, n, shape.height(), shape.width(), shape.channels())
                    .subi(0.5);
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, classes);
            for (int i = 0; i < n; i++) {
                labels.putScalar(i, i % classes, 1.0);
            }
            return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(graph)
                    .inputs(new INDArray[] {x})
                    .labels(new INDArray[] {labels})
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8));
        } finally {
            Nd4j.setDefaultDataTypes(previousDefault, previousFloating);
        }
    }

    /**
     * A finite-difference check of a random sample of parameters, for nets too large for DL4J's
     * {@link GradientCheckUtil} (which, for a {@link ComputationGraph}, checks every parameter). Works on
     * the flat parameter and gradient vectors, which share one layout, so the paramTable-order problem
     * described in {@link ResNetCifarGradientCheckTest} does not arise. Every parameter array of every
     * layer gets {@code perArray} sampled entries (all of them if it is smaller). Double precision, BN
     * decay 1, 3-way head, training mode (batch statistics), as in {@link #gradientCheck}.
     *
     * @param gradientScale multiplies the back-propagated gradient before comparing (1 except in the
     *                      test that shows the check can fail)
     * @return a description of every failing entry; empty when all pass
     */
    static List<String> sampledGradientCheck(Backbone backbone, InputShape shape, int perArray, double gradientScale) {
        return sampledGradientCheck(backbone, shape, perArray, gradientScale, 1);
    }

    /**
     * As {@link #sampledGradientCheck(Backbone, InputShape, int, double)}, but only every {@code everyNth}
     * parameter array (in layer order, starting with the first) is sampled, for deep nets.
     */
    static List<String> sampledGradientCheck(
            Backbone backbone, InputShape shape, int perArray, double gradientScale, int everyNth) {
        DataType previousDefault = Nd4j.dataType();
        DataType previousFloating = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            int classes = 3;
            CamModel model = new ModelAssembler()
                    .seed(12345)
                    .dataType(DataType.DOUBLE)
                    .updater(new NoOp())
                    .assemble(backbone, shape, classes, crossEntropy());
            ComputationGraph graph = model.graph();
            for (Layer l : graph.getLayers()) {
                if (l.conf().getLayer() instanceof BatchNormalization bn) {
                    bn.setDecay(1.0);
                }
            }
            Nd4j.getRandom().setSeed(3);
            int n = 4;
            INDArray x = Nd4j.rand(DataType.DOUBLE, n, shape.height(), shape.width(), shape.channels())
                    .subi(0.5);
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, classes);
            for (int i = 0; i < n; i++) {
                labels.putScalar(i, i % classes, 1.0);
            }
            org.nd4j.linalg.dataset.MultiDataSet data =
                    new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, new INDArray[] {labels});
            graph.setInputs(x);
            graph.setLabels(labels);
            graph.computeGradientAndScore();
            // DL4J's gradient is of the batch sum; the score is the batch mean
            INDArray grad = graph.gradient().gradient().div(n);
            INDArray params = graph.params();
            long base = params.offset();
            java.util.Random random = new java.util.Random(11);
            List<String> failures = new java.util.ArrayList<>();
            // Step sizes of the central difference. Since the backbones' BN layers apply their ReLU (DL4J's own
            // BN ignored it), these tiny nets are piecewise smooth with kinks close to the sampled parameters:
            // a difference across a kink is wrong, one with a smaller step is not. An entry passes where one of
            // the steps agrees with the analytic gradient (a wrong gradient agrees with none; the smallest step
            // helps where the larger ones cross a kink). Absolute errors below 1e-8 of the largest gradient
            // entry count as rounding: with gradients of 10^2..10^3 (ill-conditioned tiny nets, BN over four
            // values) an entry whose true derivative is zero shows finite differences of about 1e-7.
            double[] steps = {1e-6, 1e-7, 1e-8};
            double absTolerance = Math.max(1e-8, 1e-8 * grad.amaxNumber().doubleValue() * Math.abs(gradientScale));
            int arrayIndex = 0;
            for (Layer l : graph.getLayers()) {
                for (Map.Entry<String, INDArray> e : l.paramTable().entrySet()) {
                    if (arrayIndex++ % everyNth != 0) {
                        continue;
                    }
                    INDArray view = e.getValue();
                    long start = view.offset() - base;
                    long len = view.length();
                    java.util.Set<Long> picks = new java.util.TreeSet<>();
                    while (picks.size() < Math.min(perArray, len)) {
                        picks.add(len <= perArray ? picks.size() : (long) random.nextInt((int) len));
                    }
                    for (long j : picks) {
                        long i = start + j;
                        double orig = params.getDouble(i);
                        double analytic = grad.getDouble(i) * gradientScale;
                        StringBuilder numerics = new StringBuilder();
                        boolean agrees = false;
                        for (int k = 0; k < steps.length && !agrees; k++) {
                            double eps = steps[k];
                            params.putScalar(i, orig + eps);
                            double plus = graph.score(data, true);
                            params.putScalar(i, orig - eps);
                            double minus = graph.score(data, true);
                            params.putScalar(i, orig);
                            double numeric = (plus - minus) / (2 * eps);
                            double absErr = Math.abs(numeric - analytic);
                            double relErr = absErr / Math.max(Math.abs(numeric) + Math.abs(analytic), 1e-300);
                            agrees = relErr <= 1e-3 || absErr <= absTolerance;
                            numerics.append(k == 0 ? "" : ", ")
                                    .append(numeric)
                                    .append(" (step ")
                                    .append(eps)
                                    .append(')');
                        }
                        if (!agrees) {
                            failures.add(l.conf().getLayer().getLayerName() + "." + e.getKey() + "[" + j
                                    + "]: analytic " + analytic + ", numeric " + numerics);
                        }
                    }
                }
            }
            return failures;
        } finally {
            Nd4j.setDefaultDataTypes(previousDefault, previousFloating);
        }
    }

    static final String GRADIENT_HINT = "gradient check failed (run with "
            + "-Dorg.slf4j.simpleLogger.log.org.deeplearning4j.gradientcheck=info to see the parameters)";
}
