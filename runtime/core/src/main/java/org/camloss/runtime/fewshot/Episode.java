package org.camloss.runtime.fewshot;

/**
 * One N-way K-shot episode: which classes, and which examples support and query each of them.
 *
 * <p>Way {@code w} of the episode is class {@code classes[w]} (an index into the sampler's classes); its support
 * examples are {@code support[w]} and its query examples {@code query[w]}, as row indices of the sampler's feature
 * set. Support and query of one class never share an example.
 *
 * @param classes the sampler's class index of each way, in the order drawn
 * @param support per way, the {@code shots} support rows
 * @param query   per way, the {@code queries} query rows
 */
public record Episode(int[] classes, int[][] support, int[][] query) {
    /** N, the number of classes. */
    public int ways() {
        return classes.length;
    }
}
