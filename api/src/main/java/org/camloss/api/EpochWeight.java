package org.camloss.api;

/** The weight of a loss term as a function of the zero-based training epoch (for warm-ups and ramps). */
@FunctionalInterface
public interface EpochWeight {
    /** The weight during {@code epoch} (zero-based). */
    double at(int epoch);

    /** A weight that never changes. */
    static EpochWeight constant(double weight) {
        return epoch -> weight;
    }

    /**
     * {@code weight} after {@code warmupEpochs} epochs at zero, reached linearly over {@code rampEpochs}
     * further epochs (0 = at once).
     */
    static EpochWeight warmup(double weight, int warmupEpochs, int rampEpochs) {
        return epoch -> {
            if (epoch < warmupEpochs) {
                return 0.0;
            }
            if (rampEpochs <= 0) {
                return weight;
            }
            return weight * Math.min(1.0, (epoch - warmupEpochs + 1) / (double) rampEpochs);
        };
    }
}
