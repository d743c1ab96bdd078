package org.camloss.runtime;

import java.time.Duration;
import java.util.Objects;
import org.camloss.runtime.train.Trainer;

/**
 * The settings with effects beyond one {@link Camloss} instance: DL4J and ND4J keep them process-wide, so the library
 * applies none of them unless asked ({@link #library()}); the command line asks for all three
 * ({@link #commandLine()}).
 *
 * @param oneDnnHelpers sets DL4J's system property {@code org.eclipse.deeplearning4j.helpers.disable=false} (when
 *                      the property is unset) before any layer is built, so DL4J's own layers (pooling, and
 *                      convolutions a {@code dl4j-graph} backbone brings) run on oneDNN: about 6× faster training on
 *                      CPU. DL4J reads the property per layer and offers no per-model switch. camloss's own
 *                      {@code FastConvolution} and {@code FastBatchNorm} are fast either way.
 * @param autoThreads   when a config says {@code train.threads: 0}, sets ND4J's (process-wide) OpenMP thread count
 *                      (and OpenBLAS's and OpenMP's) to {@code OMP_NUM_THREADS} if set, else every core, whatever
 *                      the batch size. Without it ND4J keeps its own default. A config's explicit
 *                      {@code train.threads: N} is always applied (it is the user's request), process-wide as well.
 * @param gcInterval    how often the trainer calls {@link System#gc()} to free ND4J's native memory (see
 *                      {@link Trainer#collectOffHeapGarbage}); {@link Duration#ZERO} for never. A long run without it
 *                      can grow to tens of GB resident.
 */
public record RuntimeSettings(boolean oneDnnHelpers, boolean autoThreads, Duration gcInterval) {
    public RuntimeSettings {
        Objects.requireNonNull(gcInterval, "gcInterval");
        if (gcInterval.isNegative()) {
            throw new IllegalArgumentException("gcInterval must not be negative, found " + gcInterval);
        }
    }

    /** The library default: nothing process-wide is changed beyond an explicit {@code train.threads}. */
    public static RuntimeSettings library() {
        return new RuntimeSettings(false, false, Duration.ZERO);
    }

    /** What the {@code camloss} command uses: oneDNN helpers on, automatic threads, a collection every 5 s. */
    public static RuntimeSettings commandLine() {
        return new RuntimeSettings(true, true, Trainer.DEFAULT_GC_INTERVAL);
    }
}
