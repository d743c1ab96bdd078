package org.camloss.runtime.train;

/**
 * Where a {@link Trainer} keeps what must survive the process: checkpoints, the best model and a heartbeat. The
 * facade implements it on a run directory; {@link #NONE} keeps nothing.
 */
public interface RunStore {
    /** A store that keeps nothing. */
    RunStore NONE = new RunStore() {};

    /**
     * Saves a checkpoint: the model with its updater state and {@code state}.
     *
     * @param reason {@code epoch}, {@code interval} or {@code interrupted}
     */
    default void checkpoint(TrainState state, String reason) {}

    /** The model just improved the tracked metric to {@code value} at one-based {@code epoch}: keep it as the best. */
    default void best(int epoch, String metric, double value) {}

    /** The run is alive (called at most every few seconds, between steps). */
    default void heartbeat() {}
}
