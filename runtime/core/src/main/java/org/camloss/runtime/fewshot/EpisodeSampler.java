package org.camloss.runtime.fewshot;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws class-balanced few-shot episodes from labelled examples, deterministically.
 *
 * <p>Episode {@code e} of a setting (ways, shots, queries) depends only on the seed, the setting and {@code e}: its
 * random stream is a {@link SplittableRandom} seeded with a 64-bit mix of the five numbers. So episodes can be drawn
 * in any order (or in parallel), every classifier evaluated with the same seed sees the same episodes, and two models
 * evaluated on the same data with the same seed are compared on the same episodes.
 *
 * <p>An episode draws {@code ways} distinct classes (a partial Fisher–Yates shuffle of the class indices), then for
 * each of them, in that order, {@code shots + queries} distinct examples (a partial Fisher–Yates shuffle of the class's
 * examples): the first {@code shots} are its support, the rest its queries. So support and query never overlap, and
 * every way has exactly {@code shots} support and {@code queries} query examples.
 */
public final class EpisodeSampler {
    private final int[][] byClass;

    /**
     * @param byClass for each class, the row indices of its examples (at least one class; rows need not be sorted)
     */
    public EpisodeSampler(int[][] byClass) {
        if (byClass.length == 0) {
            throw new IllegalArgumentException("no classes to sample from");
        }
        this.byClass = new int[byClass.length][];
        for (int c = 0; c < byClass.length; c++) {
            this.byClass[c] = byClass[c].clone();
        }
    }

    /**
     * A sampler over examples labelled {@code 0..classes-1}.
     *
     * @param labels  the class of each row
     * @param classes the number of classes
     */
    public static EpisodeSampler ofLabels(int[] labels, int classes) {
        int[] counts = new int[classes];
        for (int l : labels) {
            if (l < 0 || l >= classes) {
                throw new IllegalArgumentException("label " + l + " is out of range [0, " + (classes - 1) + "]");
            }
            counts[l]++;
        }
        int[][] byClass = new int[classes][];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[classes];
        for (int row = 0; row < labels.length; row++) {
            byClass[labels[row]][fill[labels[row]]++] = row;
        }
        return new EpisodeSampler(byClass);
    }

    /** The number of classes. */
    public int classes() {
        return byClass.length;
    }

    /** The number of examples of class {@code c}. */
    public int size(int c) {
        return byClass[c].length;
    }

    /** The fewest examples any class has. */
    public int smallestClass() {
        return Arrays.stream(byClass).mapToInt(a -> a.length).min().orElse(0);
    }

    /**
     * Episode {@code index} of the setting.
     *
     * @throws IllegalArgumentException when {@code ways} exceeds the classes or {@code shots + queries} the examples
     *     of some class
     */
    public Episode episode(long seed, int ways, int shots, int queries, int index) {
        if (ways < 1 || ways > byClass.length) {
            throw new IllegalArgumentException("ways must be in [1, " + byClass.length + "], found " + ways);
        }
        if (shots < 1 || queries < 0) {
            throw new IllegalArgumentException("shots must be >= 1 and queries >= 0, found " + shots + ", " + queries);
        }
        int per = shots + queries;
        if (per > smallestClass()) {
            throw new IllegalArgumentException(
                    "shots + queries = " + per + " exceeds the " + smallestClass() + " examples of the smallest class");
        }
        SplittableRandom rng = new SplittableRandom(mix(seed, ways, shots, queries, index));
        int[] classes = draw(identity(byClass.length), ways, rng);
        int[][] support = new int[ways][];
        int[][] query = new int[ways][];
        for (int w = 0; w < ways; w++) {
            int[] drawn = draw(byClass[classes[w]].clone(), per, rng);
            support[w] = Arrays.copyOfRange(drawn, 0, shots);
            query[w] = Arrays.copyOfRange(drawn, shots, per);
        }
        return new Episode(classes, support, query);
    }

    /** The first {@code n} elements of a partial Fisher–Yates shuffle of {@code items} (shuffled in place). */
    private static int[] draw(int[] items, int n, SplittableRandom rng) {
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(items.length - i);
            int t = items[i];
            items[i] = items[j];
            items[j] = t;
        }
        return Arrays.copyOf(items, n);
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** A 64-bit mix of the numbers (each folded in through the SplitMix64 finaliser). */
    static long mix(long seed, long... values) {
        long h = fmix(seed ^ 0x9E3779B97F4A7C15L);
        for (long v : values) {
            h = fmix(h ^ fmix(v + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
