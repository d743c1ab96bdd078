package org.camloss.runtime.fewshot;

/**
 * A classifier that is fitted on one episode's support set and labels its queries. Implementations are stateless
 * between episodes (each call starts from nothing), deterministic, and break ties towards the lower way.
 */
public interface FewShotClassifier {
    /**
     * The predicted way ({@code 0..ways-1}) of each query.
     *
     * @param support     support feature vectors, all of one length
     * @param supportWays the way of each support vector, every way in {@code 0..ways-1} present
     * @param ways        N
     * @param queries     query feature vectors, of the support's length
     */
    int[] predict(float[][] support, int[] supportWays, int ways, float[][] queries);

    /** The class means of {@code support}: {@code [ways][dim]}, in double. */
    static double[][] means(float[][] support, int[] supportWays, int ways) {
        int dim = support[0].length;
        double[][] mean = new double[ways][dim];
        int[] count = new int[ways];
        for (int i = 0; i < support.length; i++) {
            double[] m = mean[supportWays[i]];
            float[] x = support[i];
            for (int d = 0; d < dim; d++) {
                m[d] += x[d];
            }
            count[supportWays[i]]++;
        }
        for (int w = 0; w < ways; w++) {
            if (count[w] == 0) {
                throw new IllegalArgumentException("way " + w + " has no support example");
            }
            for (int d = 0; d < dim; d++) {
                mean[w][d] /= count[w];
            }
        }
        return mean;
    }

    /** The squared euclidean distance. */
    static double squaredDistance(float[] a, double[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            double t = a[d] - b[d];
            s += t * t;
        }
        return s;
    }
}
