package org.camloss.runtime.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code train} section: how long and how to train, when to checkpoint, when to stop.
 *
 * @param epochs                 passes over the training split, in [1, 100000]; default 8
 * @param batchSize              examples per batch, in [1, 65536]; default 128 ({@code batch_size} in configs). The
 *                               last batch of an epoch holds the remainder, so a batch size above the training set's
 *                               size makes each epoch one step on all of it (as PyTorch's {@code DataLoader} without
 *                               {@code drop_last}); the run's start line shows the steps per epoch
 * @param threads                CPU threads for data loading and math, in [0, 256]; 0 (the default) picks automatically
 * @param progress               whether to show a progress bar; default true
 * @param checkpointEveryEpochs  a checkpoint after every this many epochs ({@code checkpoint_every_epochs}, default 1;
 *                               0: only when the run is interrupted)
 * @param checkpointEveryMinutes also a checkpoint at the first step after this many minutes since the last one
 *                               ({@code checkpoint_every_minutes}, default 0: off)
 * @param checkpointsKept        how many of the newest checkpoints to keep ({@code checkpoints_kept}, default 2)
 * @param divergenceFactor       the run has diverged when the mean loss of the last 20 steps exceeds this many times
 *                               the loss of its first step ({@code divergence_factor}, default 10)
 * @param earlyStopping          stop when a validation metric stops improving ({@code early_stopping}), or empty
 */
public record TrainSpec(
        int epochs,
        int batchSize,
        int threads,
        boolean progress,
        int checkpointEveryEpochs,
        double checkpointEveryMinutes,
        int checkpointsKept,
        double divergenceFactor,
        Optional<EarlyStoppingSpec> earlyStopping) {

    /** A section with the given basics and every other key at its default. */
    public TrainSpec(int epochs, int batchSize, int threads, boolean progress) {
        this(epochs, batchSize, threads, progress, 1, 0, 2, 10, Optional.empty());
    }

    /** The defaults: 8 epochs, batch size 128, automatic threads, progress shown, a checkpoint per epoch. */
    public static TrainSpec defaults() {
        return new TrainSpec(8, 128, 0, true, 1, 0, 2, 10, Optional.empty());
    }

    /** This section in config layout, every key present ({@code early_stopping} only when set). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("threads", threads);
        m.put("progress", progress);
        m.put("checkpoint_every_epochs", checkpointEveryEpochs);
        m.put("checkpoint_every_minutes", checkpointEveryMinutes);
        m.put("checkpoints_kept", checkpointsKept);
        m.put("divergence_factor", divergenceFactor);
        earlyStopping.ifPresent(e -> m.put("early_stopping", e.toMap()));
        return m;
    }

    /**
     * {@code train.early_stopping}: stop when {@code metric} has not improved by more than {@code minDelta} for
     * {@code patience} epochs; the best epoch's model is {@code model-best.zip}.
     *
     * @param metric   a validation metric of the epoch rows ({@code val_accuracy}, {@code val_ce}, …; the data needs a
     *                 validation split) or {@code train_loss}
     * @param mode     {@code max} (higher is better), {@code min}, or {@code auto}: min for losses and
     *                 cross-entropy, max otherwise
     * @param patience epochs without improvement before stopping
     * @param minDelta the smallest change that counts as an improvement
     */
    public record EarlyStoppingSpec(String metric, String mode, int patience, double minDelta) {
        /** Whether higher values of the metric are better, resolving {@code auto}. */
        public boolean higherIsBetter() {
            if (mode.equals("auto")) {
                return !(metric.endsWith("loss") || metric.endsWith("_ce"));
            }
            return mode.equals("max");
        }

        /** In config layout. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("metric", metric);
            m.put("mode", mode);
            m.put("patience", patience);
            m.put("min_delta", minDelta);
            return m;
        }
    }
}
