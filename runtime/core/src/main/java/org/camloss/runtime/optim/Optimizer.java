package org.camloss.runtime.optim;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/** A configured optimizer: the DL4J updater of every parameter and its coupled weight decay. */
public interface Optimizer {
    /** The base learning rate. */
    double learningRate();

    /** The coupled L2 weight decay λ (added to every gradient as λ·w before the update), 0 for none. */
    double weightDecay();

    /**
     * The DL4J updater.
     *
     * @param schedule the learning rate per iteration, or null for the constant {@link #learningRate()}
     */
    IUpdater updater(ISchedule schedule);
}
