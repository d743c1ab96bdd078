package org.camloss.api;

import java.util.List;
import java.util.random.RandomGenerator;
import org.camloss.api.data.Batch;

/**
 * A training regularizer. Every hook defaults to doing nothing, so a regularizer implements only the
 * ones it needs: {@link #apply} changes a training batch (mixup, cutmix, cutout, label smoothing);
 * {@link #define} adds penalty terms to the objective; {@link #network} asks the network itself for dropout,
 * stochastic depth or ShakeDrop. Regularizers are applied in configuration order.
 *
 * <p>Before anything is built the runtime checks, with every other problem of the config: each regularizer against
 * the input shape ({@link #check}); that the backbone applies what {@link #network} asks
 * ({@link Backbone#regularizations()}); that no two regularizers ask for the same part of the network; and that a
 * regularizer setting per-pixel targets is the last one touching the targets ({@link #targetEffect()}).
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

    /**
     * What this regularizer asks of the network (dropout before the head or inside blocks, stochastic depth,
     * ShakeDrop); nothing by default. See {@link NetworkRegularization} for how it reaches the backbone.
     */
    default NetworkRegularization network() {
        return NetworkRegularization.NONE;
    }

    /**
     * What {@link #apply} does to the targets. {@link TargetEffect#CHANGES} by default, the safe assumption for a
     * regularizer that transforms batches; one that never touches the targets (a pure penalty, a transform of the
     * images alone) says {@link TargetEffect#KEEPS}.
     */
    default TargetEffect targetEffect() {
        return TargetEffect.CHANGES;
    }

    /**
     * Checks this regularizer against the images it will see, before anything is built; accepts everything by
     * default.
     *
     * @param input the shape of the training images
     * @throws IllegalArgumentException naming the parameter and the rule, e.g. a patch larger than the image
     */
    default void check(InputShape input) {}
}
