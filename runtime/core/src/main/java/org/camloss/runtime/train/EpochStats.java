package org.camloss.runtime.train;

import java.util.Map;

/**
 * One finished epoch.
 *
 * @param epoch   one-based epoch number
 * @param epochs  total epochs
 * @param metrics the row written to {@code metrics.jsonl}: {@code epoch}, {@code train_loss},
 *                {@code train_<term>}, {@code test_accuracy}, {@code images_per_sec} and more
 */
public record EpochStats(int epoch, int epochs, Map<String, Object> metrics) {
    /** A numeric metric, or NaN. */
    public double get(String key) {
        return metrics.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
