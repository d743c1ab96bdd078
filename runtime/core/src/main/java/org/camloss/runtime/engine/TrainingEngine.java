package org.camloss.runtime.engine;

import java.util.Map;

/**
 * A started engine: trains its job's model one epoch at a time, in place (the model's parameters and updater state
 * hold the result after each call, so the ordinary evaluation, checkpoints and {@code model.zip} apply unchanged).
 */
public interface TrainingEngine extends AutoCloseable {
    /**
     * Trains the job's model on the job's training split for epoch {@code epoch} (0-based).
     *
     * @throws org.camloss.runtime.train.TrainingFailedException when the loss is not finite or a worker failed
     */
    EpochOutcome trainEpoch(int epoch);

    /**
     * What {@code run.json} records about the engine beyond its parameters (for Spark: master, workers, averaging
     * rounds so far), as JSON-ready values.
     */
    Map<String, Object> provenance();

    /** Stops the engine and frees what it holds (a Spark context); the model stays usable. */
    @Override
    void close();
}
