package org.camloss.runtime.train;

/**
 * The seeds of a run's random streams, each derived from the run's seed, the epoch and the batch (not drawn from one
 * long stream), so a run interrupted at any step and resumed draws exactly what it would have drawn: the data order
 * of an epoch, each batch's augmentation, each batch's regularizer draws, and ND4J's generator (dropout) during its
 * step. The Spark engine's executors draw from the same streams.
 */
public final class Seeds {
    /** The stream of a batch's augmentation. */
    public static final int AUGMENTATION = 1;
    /** The stream of a batch's regularizer draws. */
    public static final int REGULARIZERS = 2;
    /** The stream of ND4J's generator during a step. */
    public static final int ND4J = 3;

    private Seeds() {}

    /** The seed of {@code stream} for batch {@code batch} of {@code epoch} (both zero-based). */
    public static long of(long seed, int epoch, int batch, int stream) {
        long h = seed;
        h = mix(h ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        h = mix(h ^ (0xC2B2AE3D27D4EB4FL * (batch + 1)));
        return mix(h ^ (0x165667B19E3779F9L * stream));
    }

    /** The finaliser of MurmurHash3 (fmix64): every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
