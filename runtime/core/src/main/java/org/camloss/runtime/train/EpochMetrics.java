package org.camloss.runtime.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running sums of one epoch's training steps (loss and each term, weighted by batch size) and the
 * {@code metrics.jsonl} row made from them.
 */
final class EpochMetrics {
    private final long start = System.nanoTime();
    private final double earlierSeconds;
    private double lossSum;
    private final Map<String, Double> termSums = new LinkedHashMap<>();
    private long seen;

    /** An epoch from its start. */
    EpochMetrics() {
        this.earlierSeconds = 0;
    }

    /** An epoch resumed from {@link #partial()} sums saved by an interrupted process. */
    @SuppressWarnings("unchecked")
    EpochMetrics(Map<String, Object> partial) {
        this.earlierSeconds = partial.get("seconds") instanceof Number n ? n.doubleValue() : 0;
        this.lossSum = partial.get("loss_sum") instanceof Number n ? n.doubleValue() : 0;
        this.seen = partial.get("seen") instanceof Number n ? n.longValue() : 0;
        if (partial.get("term_sums") instanceof Map<?, ?> terms) {
            ((Map<String, Object>) terms).forEach((k, v) -> termSums.put(k, ((Number) v).doubleValue()));
        }
    }

    /** The sums so far, for a checkpoint taken within the epoch. */
    Map<String, Object> partial() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss_sum", lossSum);
        m.put("term_sums", new LinkedHashMap<>(termSums));
        m.put("seen", seen);
        m.put("seconds", seconds());
        return m;
    }

    /** Adds one step of {@code n} examples. */
    void add(StepResult step, int n) {
        lossSum += step.loss() * n;
        step.terms().forEach((k, v) -> termSums.merge(k, v * n, Double::sum));
        seen += n;
    }

    /** Examples seen so far. */
    long seen() {
        return seen;
    }

    /** Seconds of training in this epoch (including those of an interrupted process before a resume). */
    double seconds() {
        return earlierSeconds + (System.nanoTime() - start) / 1e9;
    }

    /** Training throughput so far. */
    double imagesPerSec() {
        return seen / Math.max(seconds(), 1e-9);
    }

    /**
     * The row's training part: {@code epoch} (one-based), {@code train_loss}, {@code train_<term>} (batch-size
     * weighted means), {@code lr}, {@code images_per_sec}, {@code train_seconds}.
     */
    Map<String, Object> row(int epoch, double learningRate, double trainSeconds) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", epoch + 1);
        row.put("train_loss", lossSum / seen);
        termSums.forEach((k, v) -> row.put("train_" + k, v / seen));
        row.put("lr", learningRate);
        row.put("images_per_sec", seen / trainSeconds);
        row.put("train_seconds", trainSeconds);
        return row;
    }

    /**
     * The loss and term values of one step.
     *
     * @param loss  the total objective, a batch mean
     * @param terms each term's unweighted batch mean
     */
    record StepResult(double loss, Map<String, Double> terms) {}
}
