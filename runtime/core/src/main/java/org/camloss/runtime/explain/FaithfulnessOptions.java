package org.camloss.runtime.explain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the faithfulness metrics.
 *
 * @param steps             steps of the deletion and insertion games: ⌈H·W / steps⌉ pixels change per step
 * @param deletionBaseline  what deleted pixels become (RISE: constant)
 * @param insertionBaseline what the insertion game starts from (RISE: blur)
 */
public record FaithfulnessOptions(int steps, Baseline deletionBaseline, Baseline insertionBaseline) {
    /** The defaults: 32 steps, deletion to the constant baseline, insertion from the blurred image (as RISE). */
    public static final FaithfulnessOptions DEFAULT = new FaithfulnessOptions(32, Baseline.CONSTANT, Baseline.BLUR);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when steps is not in [1, 10000] or a baseline is missing
     */
    public FaithfulnessOptions {
        Objects.requireNonNull(deletionBaseline, "deletionBaseline");
        Objects.requireNonNull(insertionBaseline, "insertionBaseline");
        if (steps < 1 || steps > 10_000) {
            throw new IllegalArgumentException("steps must be in [1, 10000], found " + steps);
        }
    }

    /** For JSON files. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("deletion_baseline", deletionBaseline.id());
        m.put("insertion_baseline", insertionBaseline.id());
        m.put("score", "softmax probability of the target class");
        return m;
    }
}
