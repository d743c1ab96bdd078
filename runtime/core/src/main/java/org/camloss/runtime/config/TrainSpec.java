package org.camloss.runtime.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code train} section: how long and how to train.
 *
 * @param epochs    passes over the training split, in [1, 100000]; default 8
 * @param batchSize examples per batch, in [1, 65536]; default 128 ({@code batch_size} in configs). The last batch of
 *                  an epoch holds the remainder, so a batch size above the training set's size makes each epoch one
 *                  step on all of it (as PyTorch's {@code DataLoader} without {@code drop_last}); the run's start line
 *                  shows the steps per epoch
 * @param threads   CPU threads for data loading and math, in [0, 256]; 0 (the default) picks automatically
 * @param progress  whether to show a progress bar; default true
 */
public record TrainSpec(int epochs, int batchSize, int threads, boolean progress) {

    /** The defaults: 8 epochs, batch size 128, automatic threads, progress shown. */
    public static TrainSpec defaults() {
        return new TrainSpec(8, 128, 0, true);
    }

    /** This section in config layout: {@code {epochs, batch_size, threads, progress}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("threads", threads);
        m.put("progress", progress);
        return m;
    }
}
