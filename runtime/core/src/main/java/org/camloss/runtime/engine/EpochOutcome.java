package org.camloss.runtime.engine;

import java.util.Map;

/**
 * What one epoch on an engine did.
 *
 * @param steps    minibatch steps taken, summed over all workers
 * @param examples training images seen, summed over all workers
 * @param loss     the epoch's training loss: the batch-size-weighted mean over every worker's minibatches when the
 *                 engine can collect them (then as the single-process trainer's {@code train_loss}), otherwise the
 *                 loss after the epoch's last parameter update as the engine measured it; NaN when it cannot tell
 * @param seconds  wall time of the epoch
 * @param terms    batch-size-weighted mean of each loss term over the epoch's minibatches, by term name (the
 *                 single-process trainer's {@code train_<term>} columns, in the head's order); empty when the engine
 *                 cannot tell
 */
public record EpochOutcome(long steps, long examples, double loss, double seconds, Map<String, Double> terms) {
    public EpochOutcome {
        terms = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(terms));
    }

    /** An outcome without per-term values. */
    public EpochOutcome(long steps, long examples, double loss, double seconds) {
        this(steps, examples, loss, seconds, Map.of());
    }
}
