package org.camloss.api;

import java.util.List;
import java.util.random.RandomGenerator;
import org.camloss.api.data.Batch;

/**
 * A training regularizer. Every hook defaults to doing nothing, so a regularizer implements only the
 * ones it needs: {@link #apply} changes a training batch (mixup, cutmix, label smoothing);
 * {@link #define} adds penalty terms to the objective. Regularizers are applied in configuration order.
 */
public interface Regularizer {
    /**
     * Transforms one training batch before the step; never called at evaluation.
     *
     * @param batch features [N, H, W, C] and targets [N, K]; implementations may modify the arrays in place
     * @param rng   the run's seeded generator, so results are reproducible
     */
    default Batch apply(Batch batch, RandomGenerator rng) {
        return batch;
    }

    /** Extra objective terms; none by default. */
    default List<LossTerm> define(LossContext context) {
        return List.of();
    }
}
