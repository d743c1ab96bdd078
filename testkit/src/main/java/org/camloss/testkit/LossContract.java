package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.Set;
import org.camloss.api.Loss;
import org.camloss.api.LossFactory;
import org.camloss.api.TermKernel;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The contract of a {@link LossFactory}: every check of {@link PluginContract}, plus: each term is a
 * finite batch <em>mean</em> (duplicating the batch leaves it unchanged), the gradient reaching the
 * features is finite and non-zero, soft targets work, raising the target class's logit lowers the total and raises
 * no term (a loss falls when the prediction improves), every term and gradient stays finite at logits of about ±500
 * in float and double (where ND4J's own {@code sd.nn().logSoftmax} gives −∞ and a saturated softmax can give NaN
 * gradients), the whole head (with a one-convolution backbone) passes DL4J's gradient check in double precision,
 * and every term with a {@link TermKernel} gives the value and gradients of its SameDiff definition (random,
 * ReLU-sparse with tied extremes, and constant feature maps; one-hot and soft targets, and per-cell targets as a
 * regional regularizer gives them, random and of a pasted box; NCHW and NHWC), and the head's inference output, which
 * it computes without SameDiff when every term has a kernel, equals its SameDiff graph's; a loss with no kernels has
 * those two checks skipped.
 *
 * <p>The term-level checks evaluate the loss on NCHW feature maps [N, C, H, W], as the head hands them to losses.
 */
@ExtendWith(DoublePrecision.class)
public abstract class LossContract extends PluginContract<LossFactory> {

    @Override
    protected final Class<LossFactory> kind() {
        return LossFactory.class;
    }

    /** The loss built from {@link #testParams()}. */
    protected final Loss loss() {
        return factory().create(resolvedTestParams());
    }

    private HeadHarness.Result run(INDArray features, INDArray targets) {
        Nd4j.getRandom().setSeed(11);
        INDArray w = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS);
        INDArray b = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES);
        return new HeadHarness(DataType.DOUBLE).run(Objective.of(loss()), features, w, b, targets);
    }

    /** How far {@link #raisingTheTargetLogitLowersTheLoss()} raises the target class's logit. */
    private static final double LOGIT_STEP = 1.0;

    /**
     * Terms that may legitimately grow when the target class's logit rises (say why where you override it), e.g. a
     * penalty on the size of the logits; the total must still fall. Empty by default.
     */
    protected Set<String> termsThatMayRiseWithTheTargetLogit() {
        return Set.of();
    }

    /**
     * For each class c: with every sample's target c (one-hot), adding {@value #LOGIT_STEP} to c's bias — raising the
     * target class's logit of every sample — lowers the total and raises no term. Catches a flipped sign.
     */
    @Test
    void raisingTheTargetLogitLowersTheLoss() {
        int n = 6;
        INDArray f = features(n, 4);
        Nd4j.getRandom().setSeed(11);
        INDArray w = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS);
        INDArray b = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES);
        for (int c = 0; c < TinyNets.CLASSES; c++) {
            INDArray t = Nd4j.zeros(DataType.DOUBLE, n, TinyNets.CLASSES);
            t.getColumn(c).assign(1.0);
            INDArray raised = b.dup();
            raised.putScalar(c, b.getDouble(c) + LOGIT_STEP);
            HeadHarness.Result before = new HeadHarness(DataType.DOUBLE).run(Objective.of(loss()), f, w, b, t);
            HeadHarness.Result after = new HeadHarness(DataType.DOUBLE).run(Objective.of(loss()), f, w, raised, t);
            String change = plugin() + ": raising the target class's logit by " + LOGIT_STEP + " (the bias of class "
                    + c + ", every sample's target)";
            for (Map.Entry<String, Double> term : before.terms().entrySet()) {
                double v0 = term.getValue();
                double v1 = after.terms().get(term.getKey());
                if (!termsThatMayRiseWithTheTargetLogit().contains(term.getKey())
                        && v1 > v0 + 1e-9 * Math.max(1, Math.abs(v0))) {
                    fail(change + " raised term '" + term.getKey() + "' from " + v0 + " to " + v1
                            + "; a loss must not grow when the prediction gets better (is a sign flipped?)");
                }
            }
            require(
                    after.total() < before.total(),
                    () -> change + " did not lower the total: " + before.total() + " -> " + after.total()
                            + "; a loss must fall when the prediction gets better (is a sign flipped?)");
        }
    }

    /**
     * Every term, the total and the gradients with respect to the features, W and b are finite when the logits are
     * about ±500 (W scaled so that the widest sample's logits span 1000; half the samples' target is their largest logit, half their smallest), in float (as in
     * training) and double, by the term kernels and, when there are any, by the SameDiff definitions too. Catches
     * {@code sd.nn().logSoftmax} (−∞ once a class is far below the largest in ND4J 1.0.0-M2.1, NaN times a zero
     * target) and NaN gradients where the softmax saturates.
     */
    @Test
    void staysFiniteAtLargeLogits() {
        int n = 6;
        INDArray f = features(n, 8);
        Nd4j.getRandom().setSeed(13);
        INDArray w = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS);
        INDArray logits = f.mean(2, 3).mmul(w.transpose());
        // scaled so that the widest sample spans 1000 (about ±500): exp(-745) underflows even in double
        w.muli(1000 / logits.max(1).sub(logits.min(1)).maxNumber().doubleValue());
        logits = f.mean(2, 3).mmul(w.transpose());
        INDArray t = Nd4j.zeros(DataType.DOUBLE, n, TinyNets.CLASSES);
        for (int i = 0; i < n; i++) {
            INDArray row = logits.getRow(i);
            t.putScalar(i, (i % 2 == 0 ? row : row.neg()).argMax().getInt(0), 1.0);
        }
        INDArray b = Nd4j.zeros(DataType.DOUBLE, TinyNets.CLASSES);
        boolean kernels = hasKernels();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            largeLogits(type, true, f, w, b, t);
            if (kernels) {
                largeLogits(type, false, f, w, b, t);
            }
        }
    }

    private void largeLogits(DataType type, boolean kernels, INDArray f, INDArray w, INDArray b, INDArray t) {
        DataType[] saved = {Nd4j.dataType(), Nd4j.defaultFloatingPointType()};
        Nd4j.setDefaultDataTypes(type, type);
        HeadHarness.Result r;
        try {
            r = new HeadHarness(type, kernels)
                    .run(Objective.of(loss()), f.castTo(type), w.castTo(type), b.castTo(type), t.castTo(type));
        } finally {
            Nd4j.setDefaultDataTypes(saved[0], saved[1]);
        }
        String where = plugin() + " at logits of about ±500 (" + (type == DataType.FLOAT ? "float32" : "float64")
                + (kernels ? "" : ", SameDiff definitions instead of term kernels") + "): ";
        String logSoftmax =
                "; compute log-probabilities with org.camloss.api.loss.LossMath.logSoftmax (ND4J 1.0.0-M2.1's "
                        + "sd.nn().logSoftmax is -Infinity there, and a zero target times -Infinity is NaN)";
        r.terms()
                .forEach((name, v) ->
                        require(Double.isFinite(v), () -> where + "term '" + name + "' is " + v + logSoftmax));
        require(Double.isFinite(r.total()), () -> where + "the total is " + r.total() + logSoftmax);
        String saturated = " has NaN or infinite entries; a derivative is infinite where the softmax saturates (p = 0 "
                + "or 1), e.g. of (1 - p)^gamma with gamma < 1 or of log p: clip p, or use LossMath.logSoftmax";
        require(finite(r.gradFeatures()), () -> where + "d total / d features" + saturated);
        require(finite(r.gradWeight()), () -> where + "d total / d W" + saturated);
        require(finite(r.gradBias()), () -> where + "d total / d b" + saturated);
    }

    private static boolean finite(INDArray a) {
        return !a.isNaN().any() && !a.isInfinite().any();
    }

    /** Whether any term of the loss has a {@link TermKernel}. */
    private boolean hasKernels() {
        Nd4j.getRandom().setSeed(12);
        Objective probe = Objective.of(loss());
        new HeadHarness(DataType.DOUBLE, true)
                .run(
                        probe,
                        features(2, 21),
                        Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS),
                        Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES),
                        TinyNets.oneHot(2, DataType.DOUBLE));
        return !probe.kernels().isEmpty();
    }

    private static INDArray features(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, n, TinyNets.CHANNELS, 5, 4);
    }

    @Test
    void termsAreFiniteBatchMeans() {
        INDArray f = features(4, 1);
        INDArray t = TinyNets.oneHot(4, DataType.DOUBLE);
        HeadHarness.Result once = run(f, t);
        HeadHarness.Result twice = run(Nd4j.concat(0, f, f), Nd4j.concat(0, t, t));
        assertFalse(once.terms().isEmpty(), "the loss defines no terms");
        once.terms().forEach((name, v) -> {
            assertTrue(Double.isFinite(v), "term " + name + " is " + v);
            assertEquals(
                    v,
                    twice.terms().get(name),
                    1e-9 * Math.max(1, Math.abs(v)),
                    "term " + name + " is not a batch mean: duplicating the batch changed it");
        });
        assertTrue(Double.isFinite(once.total()));
    }

    @Test
    void gradientReachesFeatures() {
        HeadHarness.Result r = run(features(3, 2), TinyNets.oneHot(3, DataType.DOUBLE));
        double norm = r.gradFeatures().norm2Number().doubleValue();
        assertTrue(Double.isFinite(norm) && norm > 0, "gradient norm at the features is " + norm);
    }

    @Test
    void acceptsSoftTargets() {
        HeadHarness.Result r = run(features(3, 3), TinyNets.soft(3, DataType.DOUBLE));
        assertTrue(Double.isFinite(r.total()), "total with soft targets is " + r.total());
        assertTrue(Transforms.abs(r.gradFeatures()).maxNumber().doubleValue() < Double.POSITIVE_INFINITY);
    }

    /**
     * Parameters of the tiny model ({@code conv_W}, {@code conv_b}, {@code head_W}, {@code head_b}) whose
     * gradient is deliberately not the gradient of the score, so the numerical check must skip them —
     * e.g. the classifier weights of a loss that detaches them from one of its terms. Empty by default.
     */
    protected Set<String> paramsWithoutTrueGradient() {
        return Set.of();
    }

    /** Skipped for a loss without term kernels: then there is nothing to compare. */
    @Test
    void kernelsMatchTheirSameDiffDefinition() {
        assumeTrue(hasKernels(), plugin() + " has no term with a TermKernel: nothing to compare");
        Nd4j.getRandom().setSeed(21);
        INDArray random = Nd4j.randn(DataType.DOUBLE, 5, TinyNets.CHANNELS, 5, 4);
        INDArray sparse = Transforms.relu(
                Nd4j.randn(DataType.DOUBLE, 5, TinyNets.CHANNELS, 5, 4).subi(0.6));
        INDArray constant = sparse.dup();
        constant.get(NDArrayIndex.point(1)).assign(0.5);
        constant.get(NDArrayIndex.point(2)).assign(0);
        INDArray[] inputs = {random, sparse, constant};
        String[] names = {"random", "ReLU-sparse (tied minima)", "constant maps"};
        for (int i = 0; i < inputs.length; i++) {
            for (INDArray targets :
                    new INDArray[] {TinyNets.oneHot(5, DataType.DOUBLE), TinyNets.soft(5, DataType.DOUBLE)}) {
                compareKernels(inputs[i], targets, null, names[i]);
            }
            compareKernels(
                    inputs[i],
                    TinyNets.soft(5, DataType.DOUBLE),
                    randomCellTargets(5, 20, 22 + i),
                    names[i] + ", random per-cell targets");
            INDArray pasted = pastedCellTargets(5, 5, 4);
            compareKernels(
                    inputs[i],
                    pasted.mean(1),
                    pasted,
                    names[i] + ", per-cell targets of a pasted box (regional CAM target)");
        }
    }

    /** Random per-cell target distributions [n, cells, K]. */
    private static INDArray randomCellTargets(int n, int cells, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray q = Nd4j.rand(DataType.DOUBLE, n, cells, TinyNets.CLASSES).addi(0.05);
        return q.divi(q.sum(true, 2));
    }

    /**
     * The per-cell targets of cutmix with {@code cam_target: regional} on an h × w map: sample i's own class i mod K
     * outside a box of rows 1-2 and columns 1-2, the next sample's class inside it, and half of each on the box's
     * lower edge (row 3, columns 1-2).
     */
    private static INDArray pastedCellTargets(int n, int h, int w) {
        INDArray q = Nd4j.zeros(DataType.DOUBLE, n, (long) h * w, TinyNets.CLASSES);
        for (int i = 0; i < n; i++) {
            int own = i % TinyNets.CLASSES;
            int other = (i + 1) % TinyNets.CLASSES;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int cell = y * w + x;
                    boolean inX = x >= 1 && x <= 2;
                    double pasted = inX && y >= 1 && y <= 2 ? 1 : inX && y == 3 ? 0.5 : 0;
                    q.putScalar(new long[] {i, cell, own}, q.getDouble(i, cell, own) + 1 - pasted);
                    q.putScalar(new long[] {i, cell, other}, q.getDouble(i, cell, other) + pasted);
                }
            }
        }
        return q;
    }

    /**
     * The head's inference output (the class probabilities DL4J's {@code output} returns) is the same whether the head
     * computes it without SameDiff, as it does when every term of the objective has a kernel, or by its SameDiff graph
     * (kernels off): float and double, batches of 1, 4 and 9, the one-convolution and the two-stage tiny models (6×6 and
     * 3×3 feature maps of 4 channels). Skipped for a loss without kernels.
     */
    @Test
    void inferenceOnKernelsMatchesSameDiff() {
        assumeTrue(hasKernels(), plugin() + " has no term with a TermKernel: its head infers with SameDiff");
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-12;
            for (String backbone : new String[] {"one-convolution", "two-stage"}) {
                CamModel model = TinyNets.model(
                        backbone.equals("two-stage") ? TinyNets.twoStage() : TinyNets.oneConv(),
                        Objective.of(loss()),
                        type,
                        new NoOp(),
                        5);
                for (int n : new int[] {1, 4, 9}) {
                    String where = plugin() + ", " + type + ", " + backbone + " model, batch " + n + ": ";
                    INDArray x = TinyNets.images(n, type, 30 + n);
                    INDArray onKernels = model.graph().outputSingle(false, x).dup();
                    assertEquals(
                            model.objective().sameDiffTermNames().isEmpty(),
                            model.headLayer().infersOnKernels(),
                            where + "the head infers without SameDiff exactly when every term has a kernel");
                    model.setObjective(Objective.of(loss()).useKernels(false));
                    INDArray reference = model.graph().outputSingle(false, x).dup();
                    assertFalse(model.headLayer().infersOnKernels(), where + "kernels off: SameDiff infers");
                    model.setObjective(Objective.of(loss()));
                    assertEquals(type, onKernels.dataType(), where + "data type");
                    assertEquals(
                            java.util.Arrays.toString(reference.shape()),
                            java.util.Arrays.toString(onKernels.shape()),
                            where + "shape");
                    double diff = onKernels.sub(reference).amaxNumber().doubleValue();
                    require(
                            diff <= tolerance,
                            () -> where + "probabilities differ from the SameDiff graph's by " + diff + " (tolerance "
                                    + tolerance + ")");
                }
            }
        }
    }

    private void compareKernels(INDArray features, INDArray targets, INDArray cells, String what) {
        Nd4j.getRandom().setSeed(12);
        INDArray w = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS);
        INDArray b = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES);
        Objective objective = Objective.of(loss());
        HeadHarness.Result kernel = cells == null
                ? new HeadHarness(DataType.DOUBLE, true).run(objective, features, w, b, targets)
                : new HeadHarness(DataType.DOUBLE, true).runRegional(objective, features, w, b, targets, cells);
        Map<String, TermKernel> kernels = Map.copyOf(objective.kernels());
        HeadHarness.Result reference = cells == null
                ? new HeadHarness(DataType.DOUBLE, false).run(Objective.of(loss()), features, w, b, targets)
                : new HeadHarness(DataType.DOUBLE, false)
                        .runRegional(Objective.of(loss()), features, w, b, targets, cells);
        String where = factory().id() + ", " + what + " features: ";
        reference
                .terms()
                .forEach((name, v) -> assertEquals(
                        v,
                        kernel.terms().get(name),
                        1e-9 * Math.max(1, Math.abs(v)),
                        where + "term " + name + " (kernel vs SameDiff)"));
        assertEquals(
                reference.total(), kernel.total(), 1e-9 * Math.max(1, Math.abs(reference.total())), where + "total");
        assertClose(reference.gradFeatures(), kernel.gradFeatures(), where + "d total / d features");
        assertClose(reference.gradWeight(), kernel.gradWeight(), where + "d total / d W");
        assertClose(reference.gradBias(), kernel.gradBias(), where + "d total / d b");
        for (Map.Entry<String, TermKernel> k : kernels.entrySet()) {
            TermKernel.Output nchw = k.getValue()
                    .apply(new TermKernel.Input(
                            features, false, w, b, targets, true, 1, TermKernel.Allocator.detached(), cells));
            TermKernel.Output nhwc = k.getValue()
                    .apply(new TermKernel.Input(
                            features.permute(0, 2, 3, 1).dup('c'),
                            true,
                            w,
                            b,
                            targets,
                            true,
                            1,
                            TermKernel.Allocator.detached(),
                            cells));
            assertEquals(nchw.value(), nhwc.value(), 1e-12, where + "term " + k.getKey() + " NHWC vs NCHW");
            if (nchw.featureGrad() != null) {
                assertClose(
                        nchw.featureGrad(),
                        nhwc.featureGrad().permute(0, 3, 1, 2),
                        where + "term " + k.getKey() + " NHWC vs NCHW feature gradient");
            }
            if (nchw.weightGrad() != null) {
                assertClose(
                        nchw.weightGrad(),
                        nhwc.weightGrad(),
                        where + "term " + k.getKey() + " NHWC vs NCHW W gradient");
            }
            if (nchw.biasGrad() != null) {
                assertClose(
                        nchw.biasGrad(), nhwc.biasGrad(), where + "term " + k.getKey() + " NHWC vs NCHW b gradient");
            }
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-12, Transforms.abs(expected).maxNumber().doubleValue());
        double diff = Transforms.abs(expected.sub(actual.reshape(expected.shape())))
                .maxNumber()
                .doubleValue();
        assertTrue(
                diff <= 1e-9 * Math.max(1, scale),
                what + ": max difference " + diff + " (largest entry " + scale + ")");
    }

    @Test
    void wholeHeadPassesGradientCheck() {
        CamModel model = TinyNets.model(Objective.of(loss()), DataType.DOUBLE, new NoOp(), 3);
        INDArray x = TinyNets.images(3, DataType.DOUBLE, 5);
        INDArray y = TinyNets.oneHot(3, DataType.DOUBLE);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(model.graph())
                .inputs(new INDArray[] {x})
                .labels(new INDArray[] {y})
                .epsilon(1e-6)
                .maxRelError(1e-4)
                .minAbsoluteError(1e-9)
                .excludeParams(paramsWithoutTrueGradient()));
        require(ok, () -> "DL4J gradient check failed for " + plugin() + " (the log names the parameter)");
    }
}
