package org.camloss.runtime.fewshot;

/**
 * Mean accuracy over episodes with its 95 % confidence interval, as few-shot papers report it.
 *
 * <p>{@code std} is the population standard deviation of the episode accuracies (divisor n, as numpy's default
 * {@code np.std} that Chen et al. 2019's and most few-shot evaluation code use), and {@code ci95 = 1.96 · std / √n}:
 * the half-width of the normal-approximation interval of the mean.
 *
 * @param episodes n
 * @param mean     mean accuracy, in [0, 1]
 * @param std      population standard deviation of the episode accuracies
 * @param ci95     {@code 1.96 · std / √n}
 */
public record AccuracySummary(int episodes, double mean, double std, double ci95) {
    /** z of the two-sided 95 % normal interval. */
    public static final double Z95 = 1.96;

    /** The summary of per-episode accuracies (at least one). */
    public static AccuracySummary of(double[] accuracies) {
        int n = accuracies.length;
        if (n == 0) {
            throw new IllegalArgumentException("no episodes");
        }
        double sum = 0;
        for (double a : accuracies) {
            sum += a;
        }
        double mean = sum / n;
        double squares = 0;
        for (double a : accuracies) {
            squares += (a - mean) * (a - mean);
        }
        double std = Math.sqrt(squares / n);
        return new AccuracySummary(n, mean, std, Z95 * std / Math.sqrt(n));
    }
}
