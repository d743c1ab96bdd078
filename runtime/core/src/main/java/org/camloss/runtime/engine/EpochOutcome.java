package org.camloss.runtime.engine;

/**
 * What one epoch on an engine did.
 *
 * @param steps    minibatch steps taken, summed over all workers
 * @param examples training images seen, summed over all workers
 * @param loss     the model's loss after the epoch's last parameter update, as the engine measured it (for parameter
 *                 averaging: the mean of the workers' last minibatch scores); NaN when the engine cannot tell
 * @param seconds  wall time of the epoch
 */
public record EpochOutcome(long steps, long examples, double loss, double seconds) {}
