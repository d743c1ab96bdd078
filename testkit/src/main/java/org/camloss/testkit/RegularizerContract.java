package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.camloss.api.LossTerm;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.TargetEffect;
import org.camloss.api.data.Batch;
import org.camloss.api.data.RegionalTargets;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The contract of a {@link RegularizerFactory}: every check of {@link PluginContract}, plus, for a regularizer that
 * transforms batches ({@link Regularizer#apply}): a transformed batch keeps its shapes and its targets stay
 * distributions (non-negative rows summing to 1), the same seed gives the same batch, some of several batches is
 * changed at the test parameters (unless {@link #mayLeaveBatchesUnchanged()}), and, when the features change at all,
 * every row and every column of a non-square multi-channel NHWC batch [N, H, W, C] is changed in some trial, the
 * targets change as {@link Regularizer#targetEffect()} declares, and per-pixel targets, where set, are distributions
 * whose image average is the batch's targets; for a regularizer that defines penalty terms ({@link Regularizer#define}),
 * they are finite and reach the features; and for one that asks something of the network ({@link Regularizer#network()}),
 * the training forward pass of a residual net changes from step to step while inference stays deterministic. The
 * checks of the hook a regularizer does not implement are skipped.
 */
public abstract class RegularizerContract extends PluginContract<RegularizerFactory> {
    /** Trials of the checks that look for changes; each applies the transform to its own seeded batch. */
    private static final int TRIALS = 64;
    /** The non-square multi-channel batch of those checks: N, H, W, C all different. */
    private static final int N = 8;

    private static final int H = 16;
    private static final int W = 48;
    private static final int C = 3;

    @Override
    protected final Class<RegularizerFactory> kind() {
        return RegularizerFactory.class;
    }

    /** The regularizer built from {@link #testParams()}. */
    protected final Regularizer regularizer() {
        return factory().create(resolvedTestParams());
    }

    /**
     * Whether the regularizer transforms batches: by default, whether its class overrides {@link Regularizer#apply}.
     * The batch checks are skipped when it does not.
     */
    protected boolean transformsBatches() {
        try {
            return regularizer()
                            .getClass()
                            .getMethod("apply", Batch.class, RandomGenerator.class)
                            .getDeclaringClass()
                    != Regularizer.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("Regularizer.apply(Batch, RandomGenerator) not found", e);
        }
    }

    /**
     * Whether the transform may legitimately leave every batch unchanged at {@link #testParams()} (say why where you
     * override it), which skips {@link #transformChangesSomeBatch()}. False by default.
     */
    protected boolean mayLeaveBatchesUnchanged() {
        return false;
    }

    private static Batch batch() {
        return new Batch(TinyNets.images(6, DataType.FLOAT, 4), TinyNets.oneHot(6, DataType.FLOAT));
    }

    /** The batch of trial {@code i}: random NHWC features [N, H, W, C] with H ≠ W ≠ C, one-hot targets. */
    private static Batch trialBatch(int i) {
        Nd4j.getRandom().setSeed(1000 + i);
        return new Batch(Nd4j.randn(DataType.FLOAT, N, H, W, C), TinyNets.oneHot(N, DataType.FLOAT));
    }

    /**
     * The generator of trial {@code i}: a {@link java.util.SplittableRandom}, whose streams for neighbouring seeds are
     * independent (the first draws of {@code new Random(i)} for small {@code i} are all about 0.73, so a transform applied
     * with probability 0.5 would never apply in any trial).
     */
    private static RandomGenerator trialRandom(int i) {
        return new java.util.SplittableRandom(0x9E3779B97F4A7C15L * (i + 1));
    }

    private void assumeTransforms() {
        assumeTrue(transformsBatches(), plugin() + " does not transform batches (it does not override apply)");
    }

    @Test
    void batchKeepsShapesAndTargetsStayDistributions() {
        assumeTransforms();
        Batch in = batch();
        long[] fs = in.features().shape();
        long[] ts = in.targets().shape();
        Batch out = regularizer().apply(in, new Random(1));
        assertArrayEquals(fs, out.features().shape(), "feature shape changed");
        assertArrayEquals(ts, out.targets().shape(), "target shape changed");
        assertTrue(out.targets().minNumber().doubleValue() >= -1e-7, "negative target");
        INDArray sums = out.targets().sum(1);
        for (int i = 0; i < sums.length(); i++) {
            assertEquals(1.0, sums.getDouble(i), 1e-5, "targets of sample " + i + " do not sum to 1");
        }
        assertFalse(out.features().isNaN().any(), "NaN in the features");
    }

    @Test
    void sameSeedSameBatch() {
        assumeTransforms();
        Batch a = regularizer().apply(batch(), new Random(42));
        Batch b = regularizer().apply(batch(), new Random(42));
        assertEquals(a.features(), b.features(), "features differ for the same seed");
        assertEquals(a.targets(), b.targets(), "targets differ for the same seed");
    }

    /**
     * One application: what changed in the features (per row and per column), whether the targets changed and whether
     * per-pixel targets were set.
     */
    private record Change(INDArray rows, INDArray columns, boolean features, boolean targets, boolean regional) {}

    private Change trial(Regularizer reg, int i) {
        Batch in = trialBatch(i);
        INDArray x = in.features().dup();
        INDArray q = in.targets().dup();
        Batch out = reg.apply(in, trialRandom(i));
        INDArray diff = Transforms.abs(out.features().castTo(DataType.FLOAT).sub(x));
        INDArray rows = diff.sum(0, 2, 3);
        INDArray columns = diff.sum(0, 1, 3);
        boolean targets = Transforms.abs(out.targets().castTo(DataType.FLOAT).sub(q))
                        .sumNumber()
                        .doubleValue()
                > 0;
        return new Change(
                rows,
                columns,
                rows.sumNumber().doubleValue() > 0,
                targets,
                out.regional().isPresent());
    }

    /**
     * Over {@value #TRIALS} seeded batches, the transform changes the features or targets of some batch. Catches a
     * transform that never applies, e.g. an inverted probability test.
     */
    @Test
    void transformChangesSomeBatch() {
        assumeTransforms();
        assumeFalse(mayLeaveBatchesUnchanged(), plugin() + " declares that it may leave every batch unchanged");
        Regularizer reg = regularizer();
        for (int i = 0; i < TRIALS; i++) {
            Change c = trial(reg, i);
            if (c.features() || c.targets()) {
                return;
            }
        }
        fail(plugin() + " left all " + TRIALS + " batches unchanged (seeds 0-"
                + (TRIALS - 1) + ", params " + resolvedTestParams()
                + "); a batch transform must change some batch at its "
                + "test parameters (is a probability test inverted?), or declare mayLeaveBatchesUnchanged()");
    }

    /**
     * When the transform changes features at all, every row and every column of the NHWC batch [N, {@value #H},
     * {@value #W}, {@value #C}] is changed in some of {@value #TRIALS} trials. Catches H and W read from the wrong
     * axes (the far rows or columns are then never reached).
     */
    @Test
    void transformReachesEveryRowAndColumn() {
        assumeTransforms();
        Regularizer reg = regularizer();
        INDArray rows = Nd4j.zeros(DataType.FLOAT, H);
        INDArray columns = Nd4j.zeros(DataType.FLOAT, W);
        boolean any = false;
        for (int i = 0; i < TRIALS; i++) {
            Change c = trial(reg, i);
            rows.addi(c.rows());
            columns.addi(c.columns());
            any |= c.features();
        }
        assumeTrue(any, plugin() + " changed no features in " + TRIALS + " trials (a target-only transform)");
        List<Integer> missedRows = untouched(rows);
        List<Integer> missedColumns = untouched(columns);
        require(
                missedRows.isEmpty() && missedColumns.isEmpty(),
                () -> plugin() + " never changed "
                        + (missedRows.isEmpty()
                                ? ""
                                : "rows " + ranges(missedRows) + (missedColumns.isEmpty() ? "" : " and "))
                        + (missedColumns.isEmpty() ? "" : "columns " + ranges(missedColumns)) + " of a " + H + "x" + W
                        + "x" + C
                        + " batch in " + TRIALS
                        + " trials; features are NHWC [N, H, W, C]: are H and W read from the right "
                        + "axes (H = size(1), W = size(2))?");
    }

    private static List<Integer> untouched(INDArray sums) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < sums.length(); i++) {
            if (sums.getDouble(i) == 0) {
                out.add(i);
            }
        }
        return out;
    }

    /** E.g. [0, 1, 2, 5] as "0-2, 5". */
    private static String ranges(List<Integer> xs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < xs.size(); i++) {
            int start = xs.get(i);
            while (i + 1 < xs.size() && xs.get(i + 1) == xs.get(i) + 1) {
                i++;
            }
            sb.append(sb.length() == 0 ? "" : ", ").append(start).append(start == xs.get(i) ? "" : "-" + xs.get(i));
        }
        return sb.toString();
    }

    /**
     * What the transform does to the targets matches {@link Regularizer#targetEffect()}, over {@value #TRIALS} seeded
     * batches: a regularizer declaring {@link TargetEffect#KEEPS} never changes them, only one declaring
     * {@link TargetEffect#REGIONAL} sets per-pixel targets, and one declaring it sets them in some trial (unless
     * {@link #mayLeaveBatchesUnchanged()}). The runtime's check of the regularizers' order relies on the declaration.
     */
    @Test
    void targetsChangeAsDeclared() {
        assumeTransforms();
        Regularizer reg = regularizer();
        TargetEffect declared = reg.targetEffect();
        boolean changed = false;
        boolean regional = false;
        for (int i = 0; i < TRIALS; i++) {
            Change c = trial(reg, i);
            changed |= c.targets();
            regional |= c.regional();
        }
        boolean anyChange = changed;
        require(
                declared != TargetEffect.KEEPS || !anyChange,
                () -> plugin()
                        + " declares targetEffect() KEEPS but changed the targets of a batch; declare CHANGES (the"
                        + " runtime refuses to let a regularizer that changes targets follow one that set per-pixel "
                        + "targets)");
        boolean anyRegional = regional;
        require(
                declared == TargetEffect.REGIONAL || !anyRegional,
                () -> plugin() + " set per-pixel targets (Batch.regional) but declares targetEffect() " + declared
                        + "; declare REGIONAL");
        require(
                declared != TargetEffect.REGIONAL || anyRegional || mayLeaveBatchesUnchanged(),
                () -> plugin() + " declares targetEffect() REGIONAL but set no per-pixel targets (Batch.regional) in "
                        + TRIALS + " trials");
    }

    /**
     * Per-pixel targets, where a transform sets them ({@link Batch#regional()}): weights [N, H, W, S] of the batch's
     * H and W that are non-negative and sum to 1 over the sources at every pixel, sources [N, S, K] that are
     * distributions, and an image average of the pixel targets equal to the batch's targets (for cutmix: the pasted
     * box's share of the image is the pasted image's weight in the mixed target). Skipped when no trial sets them.
     */
    @Test
    void regionalTargetsAverageToTheTargets() {
        assumeTransforms();
        Regularizer reg = regularizer();
        int seen = 0;
        for (int i = 0; i < TRIALS; i++) {
            Batch out = reg.apply(trialBatch(i), trialRandom(i));
            if (out.regional().isEmpty()) {
                continue;
            }
            seen++;
            RegionalTargets r = out.regional().get();
            int trial = i;
            long[] ws = r.weights().shape();
            long[] ss = r.sources().shape();
            require(
                    ws[0] == N && ws[1] == H && ws[2] == W && ss[0] == N && ss[2] == TinyNets.CLASSES,
                    () -> plugin() + ": per-pixel targets of a " + N + "x" + H + "x" + W + "x" + C + " batch with "
                            + TinyNets.CLASSES + " classes have weights " + java.util.Arrays.toString(ws)
                            + " and sources " + java.util.Arrays.toString(ss) + " (trial " + trial
                            + "); expected [N, H, W, S] and [N, S, K]");
            INDArray w = r.weights().castTo(DataType.DOUBLE);
            INDArray src = r.sources().castTo(DataType.DOUBLE);
            double wSum = Transforms.abs(w.sum(3).subi(1)).maxNumber().doubleValue();
            double sSum = Transforms.abs(src.sum(2).subi(1)).maxNumber().doubleValue();
            require(
                    w.minNumber().doubleValue() >= -1e-7 && wSum < 1e-5,
                    () -> plugin() + ": per-pixel weights must be non-negative and sum to 1 over the sources at every"
                            + " pixel (trial " + trial + ", largest deviation of a sum " + wSum + ")");
            require(
                    src.minNumber().doubleValue() >= -1e-7 && sSum < 1e-5,
                    () -> plugin() + ": the sources' targets must be distributions (trial " + trial + ")");
            // image average of Q = Σ_s mean(weights[.., s]) · sources[s]
            INDArray share = w.mean(1, 2); // [N, S]
            INDArray average = Nd4j.zeros(DataType.DOUBLE, N, TinyNets.CLASSES);
            for (int s = 0; s < share.size(1); s++) {
                average.addi(src.get(NDArrayIndex.all(), NDArrayIndex.point(s), NDArrayIndex.all())
                        .mulColumnVector(share.getColumn(s).reshape(N, 1)));
            }
            double diff = Transforms.abs(average.subi(out.targets().castTo(DataType.DOUBLE)))
                    .maxNumber()
                    .doubleValue();
            require(
                    diff < 1e-5,
                    () -> plugin() + ": the image average of the per-pixel targets differs from the batch's targets by "
                            + diff + " (trial " + trial + "); each source's share of the image must be its weight in "
                            + "the target");
        }
        assumeTrue(seen > 0, plugin() + " set no per-pixel targets");
    }

    /**
     * A regularizer that asks something of the network ({@link Regularizer#network()}) changes training: on a residual
     * net that applies every part ({@link TinyNets#residual()}), the training forward pass differs between some of 8
     * steps, inference is the same on every pass, and a training step gives a finite loss. Catches a request that
     * does nothing (a probability of 0). Skipped for a regularizer that asks nothing of the network.
     */
    @Test
    void networkRequestChangesTrainingOnly() {
        Regularizer reg = regularizer();
        NetworkRegularization asked = reg.network();
        assumeFalse(asked.isNone(), plugin() + " asks nothing of the network");
        Objective objective =
                new Objective(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0)), List.of(reg), List.of());
        CamModel model = TinyNets.model(TinyNets.residual(), objective, DataType.FLOAT, new Sgd(0.01), 5);
        INDArray x = TinyNets.images(8, DataType.FLOAT, 9);
        var graph = model.graph();
        INDArray inference = graph.outputSingle(false, x).dup();
        require(
                inference.equals(graph.outputSingle(false, x)),
                () -> plugin() + ": inference differs between two passes; it must be deterministic");
        graph.getConfiguration().setIterationCount(0);
        INDArray first = graph.outputSingle(true, x).dup();
        boolean differs = false;
        for (int step = 1; step < 8 && !differs; step++) {
            graph.getConfiguration().setIterationCount(step);
            differs = !first.equals(graph.outputSingle(true, x));
        }
        boolean changed = differs;
        require(
                changed,
                () -> plugin() + " asks the network for " + asked + ", but the training forward pass of a residual net"
                        + " was the same at 8 steps: the request changes nothing (a probability of 0?)");
        graph.getConfiguration().setIterationCount(0);
        graph.fit(new INDArray[] {x}, new INDArray[] {TinyNets.oneHot(8, DataType.FLOAT)});
        double loss = graph.score();
        require(Double.isFinite(loss), () -> plugin() + ": the loss of a training step is " + loss);
    }

    /** Penalty terms are finite and reach the features; skipped when the regularizer defines none. */
    @Test
    void penaltyTermsAreFinite() {
        Regularizer reg = regularizer();
        Objective objective =
                new Objective(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0)), List.of(reg), List.of());
        Nd4j.getRandom().setSeed(3);
        HeadHarness.Result r = new HeadHarness(DataType.DOUBLE)
                .run(
                        objective,
                        Nd4j.randn(DataType.DOUBLE, 3, TinyNets.CHANNELS, 4, 4),
                        Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS),
                        Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES),
                        TinyNets.oneHot(3, DataType.DOUBLE));
        assumeTrue(r.terms().size() > 1, plugin() + " defines no penalty terms");
        r.terms().forEach((name, v) -> require(Double.isFinite(v), () -> plugin() + ": term " + name + " is " + v));
        require(
                r.gradFeatures().norm2Number().doubleValue() > 0,
                () -> plugin() + ": no gradient reaches the features");
    }
}
