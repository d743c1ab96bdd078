package org.camloss.runtime.train;

import java.util.List;
import java.util.Map;

/**
 * A finished run.
 *
 * @param epochs          every epoch's metrics (of earlier processes too, when the run was resumed)
 * @param seconds         wall time of training and evaluation in this process
 * @param imagesPerSec    mean training throughput in this process
 * @param stoppedEarlyAt  0 when the run trained every epoch; otherwise early stopping ended it and this is the
 *                        one-based epoch of the best model ({@code model-best.zip})
 */
public record RunSummary(List<Map<String, Object>> epochs, double seconds, double imagesPerSec, int stoppedEarlyAt) {
    /** A run that trained every epoch. */
    public RunSummary(List<Map<String, Object>> epochs, double seconds, double imagesPerSec) {
        this(epochs, seconds, imagesPerSec, 0);
    }

    /** The last epoch's metrics. */
    public Map<String, Object> last() {
        return epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1);
    }
}
