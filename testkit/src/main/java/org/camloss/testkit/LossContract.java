package org.camloss.testkit;

import org.junit.jupiter.api.extension.ExtendWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.camloss.api.Loss;
import org.camloss.api.LossFactory;
import org.camloss.api.model.CamModel;
import org.camloss.api.model.Objective;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The contract of a {@link LossFactory}: every check of {@link PluginContract}, plus: each term is a
 * finite batch <em>mean</em> (duplicating the batch leaves it unchanged), the gradient reaching the
 * features is finite and non-zero, soft targets work, and the whole head (with a one-convolution
 * backbone) passes DL4J's gradient check in double precision.
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
            assertEquals(v, twice.terms().get(name), 1e-9 * Math.max(1, Math.abs(v)),
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

    @Test
    void wholeHeadPassesGradientCheck() {
        CamModel model = TinyNets.model(Objective.of(loss()), DataType.DOUBLE, new NoOp(), 3);
        INDArray x = TinyNets.images(3, DataType.DOUBLE, 5);
        INDArray y = TinyNets.oneHot(3, DataType.DOUBLE);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(model.graph()).inputs(new INDArray[] {x}).labels(new INDArray[] {y})
                .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-9)
                .excludeParams(paramsWithoutTrueGradient()));
        assertTrue(ok, "DL4J gradient check failed for " + factory().id());
    }
}
