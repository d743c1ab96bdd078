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
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.data.Batch;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The contract of a {@link RegularizerFactory}: every check of {@link PluginContract}, plus, for a regularizer that
 * transforms batches ({@link Regularizer#apply}): a transformed batch keeps its shapes and its targets stay
 * distributions (non-negative rows summing to 1), the same seed gives the same batch, some of several batches is
 * changed at the test parameters (unless {@link #mayLeaveBatchesUnchanged()}), and, when the features change at all,
 * every row and every column of a non-square multi-channel NHWC batch [N, H, W, C] is changed in some trial; and, for
 * a regularizer that defines penalty terms ({@link Regularizer#define}), they are finite and reach the features. The
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

    /** One application: what changed in the features (per row and per column) and whether the targets changed. */
    private record Change(INDArray rows, INDArray columns, boolean features, boolean targets) {}

    private Change trial(Regularizer reg, int i) {
        Batch in = trialBatch(i);
        INDArray x = in.features().dup();
        INDArray q = in.targets().dup();
        Batch out = reg.apply(in, new Random(i));
        INDArray diff = Transforms.abs(out.features().castTo(DataType.FLOAT).sub(x));
        INDArray rows = diff.sum(0, 2, 3);
        INDArray columns = diff.sum(0, 1, 3);
        boolean targets = Transforms.abs(out.targets().castTo(DataType.FLOAT).sub(q))
                        .sumNumber()
                        .doubleValue()
                > 0;
        return new Change(rows, columns, rows.sumNumber().doubleValue() > 0, targets);
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
