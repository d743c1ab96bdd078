package org.camloss.runtime.train;

import java.util.List;
import java.util.Map;

/**
 * A finished run.
 *
 * @param epochs       every epoch's metrics
 * @param seconds      wall time of training and evaluation
 * @param imagesPerSec mean training throughput
 */
public record RunSummary(List<Map<String, Object>> epochs, double seconds, double imagesPerSec) {
    /** The last epoch's metrics. */
    public Map<String, Object> last() {
        return epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1);
    }
}
