package org.camloss.testkit;

import org.camloss.api.loss.CrossEntropy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.camloss.api.LossTerm;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.data.Batch;
import org.camloss.engine.head.Objective;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The contract of a {@link RegularizerFactory}: every check of {@link PluginContract}, plus: a transformed
 * batch keeps its shapes and its targets stay distributions (non-negative rows summing to 1), the same
 * seed gives the same batch, and any penalty terms are finite and reach the features.
 */
public abstract class RegularizerContract extends PluginContract<RegularizerFactory> {
    @Override
    protected final Class<RegularizerFactory> kind() {
        return RegularizerFactory.class;
    }

    /** The regularizer built from {@link #testParams()}. */
    protected final Regularizer regularizer() {
        return factory().create(resolvedTestParams());
    }

    private static Batch batch() {
        return new Batch(TinyNets.images(6, DataType.FLOAT, 4), TinyNets.oneHot(6, DataType.FLOAT));
    }

    @Test
    void batchKeepsShapesAndTargetsStayDistributions() {
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
        Batch a = regularizer().apply(batch(), new Random(42));
        Batch b = regularizer().apply(batch(), new Random(42));
        assertEquals(a.features(), b.features(), "features differ for the same seed");
        assertEquals(a.targets(), b.targets(), "targets differ for the same seed");
    }

    @Test
    void penaltyTermsAreFinite() {
        Regularizer reg = regularizer();
        Objective objective = new Objective(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0)),
                List.of(reg), List.of());
        Nd4j.getRandom().setSeed(3);
        HeadHarness.Result r = new HeadHarness(DataType.DOUBLE).run(objective,
                Nd4j.randn(DataType.DOUBLE, 3, TinyNets.CHANNELS, 4, 4),
                Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS),
                Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES), TinyNets.oneHot(3, DataType.DOUBLE));
        r.terms().forEach((name, v) -> assertTrue(Double.isFinite(v), "term " + name + " is " + v));
        assertTrue(r.gradFeatures().norm2Number().doubleValue() > 0, "no gradient reaches the features");
    }
}
