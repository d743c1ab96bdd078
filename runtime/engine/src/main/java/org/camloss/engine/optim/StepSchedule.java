package org.camloss.engine.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/** lr = initial · γ^⌊iteration / stepIterations⌋ (a step decay every {@code step_epochs}). */
public final class StepSchedule implements ISchedule {
    @JsonProperty
    private double initial;

    @JsonProperty
    private double gamma;

    @JsonProperty
    private int stepIterations;

    /** For JSON. */
    public StepSchedule() {}

    public StepSchedule(double initial, double gamma, int stepIterations) {
        this.initial = initial;
        this.gamma = gamma;
        this.stepIterations = Math.max(1, stepIterations);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return initial * Math.pow(gamma, iteration / stepIterations);
    }

    @Override
    public ISchedule clone() {
        return new StepSchedule(initial, gamma, stepIterations);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepSchedule s
                && s.initial == initial
                && s.gamma == gamma
                && s.stepIterations == stepIterations;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(initial, gamma, stepIterations);
    }
}
