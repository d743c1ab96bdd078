package org.camloss.runtime.train;

/**
 * Hooks into a training run. Every method does nothing by default; implement the ones you need. Called on
 * the training thread; keep them quick.
 */
public interface TrainListener {
    /** Before the first epoch. */
    default void onRunStart(RunInfo info) {}

    /** Before each epoch (zero-based {@code epoch}). */
    default void onEpochStart(int epoch, int batches) {}

    /** After each training step. */
    default void onBatchEnd(BatchStats stats) {}

    /** After each epoch's evaluation. */
    default void onEpochEnd(EpochStats stats) {}

    /** After the last epoch. */
    default void onRunEnd(RunSummary summary) {}
}
