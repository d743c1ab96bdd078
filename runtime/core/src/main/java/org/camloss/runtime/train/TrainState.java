package org.camloss.runtime.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run stands between two steps: everything beyond the model, its updater state and its iteration count (which
 * the model file holds) that a resumed run needs to go on exactly as the uninterrupted one would. Saved in every
 * checkpoint as JSON ({@link #toMap()}).
 *
 * @param epoch        the zero-based epoch to continue in
 * @param batch        the zero-based batch of {@code epoch} to continue with (0 at an epoch boundary)
 * @param partial      the running sums of {@code epoch}'s steps so far ({@code loss_sum}, {@code term_sums},
 *                     {@code seen}, {@code seconds}); empty at an epoch boundary
 * @param firstLoss    the loss of the run's first step, the divergence rule's reference; NaN before it
 * @param recentLosses the losses of the last steps (at most 20), newest last
 * @param bestValue    the best value of the tracked metric so far, or NaN
 * @param bestEpoch    the one-based epoch of {@code bestValue}, or 0
 * @param badEpochs    epochs since the tracked metric last improved (early stopping)
 */
public record TrainState(
        int epoch,
        int batch,
        Map<String, Object> partial,
        double firstLoss,
        List<Double> recentLosses,
        double bestValue,
        int bestEpoch,
        int badEpochs) {

    public TrainState {
        partial = Map.copyOf(partial);
        recentLosses = List.copyOf(recentLosses);
    }

    /** The state of a run that has not started. */
    public static TrainState fresh() {
        return new TrainState(0, 0, Map.of(), Double.NaN, List.of(), Double.NaN, 0, 0);
    }

    /** Whether the state lies on an epoch boundary. */
    public boolean atEpochBoundary() {
        return batch == 0;
    }

    /** In JSON layout (non-finite numbers as null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("batch", batch);
        m.put("partial", partial);
        m.put("first_loss", finite(firstLoss));
        m.put("recent_losses", recentLosses);
        m.put("best_value", finite(bestValue));
        m.put("best_epoch", bestEpoch);
        m.put("bad_epochs", badEpochs);
        return m;
    }

    /**
     * Reads {@link #toMap()}'s layout back.
     *
     * @throws IllegalArgumentException when a key is missing or of the wrong type
     */
    @SuppressWarnings("unchecked")
    public static TrainState fromMap(Map<String, Object> m) {
        try {
            List<Double> recent = new ArrayList<>();
            for (Object o : (List<Object>) m.get("recent_losses")) {
                recent.add(((Number) o).doubleValue());
            }
            return new TrainState(
                    ((Number) m.get("epoch")).intValue(),
                    ((Number) m.get("batch")).intValue(),
                    (Map<String, Object>) m.get("partial"),
                    number(m.get("first_loss")),
                    recent,
                    number(m.get("best_value")),
                    ((Number) m.get("best_epoch")).intValue(),
                    ((Number) m.get("bad_epochs")).intValue());
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a camloss training state: " + m, e);
        }
    }

    private static Object finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
