package org.camloss.engine.optim;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Another schedule's learning rate times a constant: a part of the model trained at {@code lr_mult} times the rate of
 * the rest (a backbone fine-tuned at 0.1×, say). Its class name is stored in model files.
 */
public final class ScaledSchedule implements ISchedule {
    @JsonProperty
    private ISchedule base;

    @JsonProperty
    private double factor;

    /** For JSON. */
    public ScaledSchedule() {}

    /**
     * @param base   the schedule to scale
     * @param factor the multiplier, at least 0
     */
    public ScaledSchedule(ISchedule base, double factor) {
        this.base = Objects.requireNonNull(base, "base");
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("a learning-rate factor must be finite and >= 0, found " + factor);
        }
        this.factor = factor;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return factor * base.valueAt(iteration, epoch);
    }

    @Override
    public ISchedule clone() {
        return new ScaledSchedule(base.clone(), factor);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaledSchedule s && s.factor == factor && s.base.equals(base);
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, factor);
    }

    @Override
    public String toString() {
        return factor + " x " + base;
    }
}
