package org.camloss.engine.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Cosine decay stepped per iteration from {@code initial} to {@code last} over {@code totalIterations},
 * after an optional linear warm-up of {@code warmupIterations}:
 * lr(t) = last + (initial − last) · ½ (1 + cos(π · t' / T')), t' = t − warm-up.
 */
public final class CosineSchedule implements ISchedule {
    @JsonProperty
    private double initial;

    @JsonProperty
    private double last;

    @JsonProperty
    private int totalIterations;

    @JsonProperty
    private int warmupIterations;

    /** For JSON. */
    public CosineSchedule() {}

    public CosineSchedule(double initial, double last, int totalIterations, int warmupIterations) {
        this.initial = initial;
        this.last = last;
        this.totalIterations = Math.max(1, totalIterations);
        this.warmupIterations = Math.max(0, warmupIterations);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupIterations) {
            return initial * (iteration + 1) / warmupIterations;
        }
        int span = Math.max(1, totalIterations - warmupIterations);
        double t = Math.min(1.0, (iteration - warmupIterations) / (double) span);
        return last + (initial - last) * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    @Override
    public ISchedule clone() {
        return new CosineSchedule(initial, last, totalIterations, warmupIterations);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CosineSchedule c
                && c.initial == initial
                && c.last == last
                && c.totalIterations == totalIterations
                && c.warmupIterations == warmupIterations;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(initial, last, totalIterations, warmupIterations);
    }
}
