package org.camloss.runtime.optim;

import org.nd4j.linalg.schedule.ISchedule;

/** A configured learning-rate schedule. */
public interface Schedule {
    /**
     * The learning rate per iteration for a run.
     *
     * @param learningRate  the optimizer's base learning rate
     * @param epochs        epochs of the run
     * @param stepsPerEpoch training steps per epoch
     * @return the schedule, or null to keep {@code learningRate} throughout
     */
    ISchedule create(double learningRate, int epochs, int stepsPerEpoch);
}
