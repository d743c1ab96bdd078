package org.camloss.runtime.fewshot;

/**
 * Nearest class mean (Snell et al. 2017's prototypes, on fixed features): each way's prototype is the mean of its
 * support vectors; a query takes the way whose prototype is nearest, by euclidean distance or by cosine similarity.
 *
 * <p>Cosine compares the query with the mean of the raw support vectors (not with a mean of normalised ones); a
 * zero vector (a query or a prototype whose features are all 0, which ReLU features can give) has similarity 0 with
 * everything. Ties go to the lower way.
 */
public final class PrototypeClassifier implements FewShotClassifier {
    private final boolean cosine;

    /** @param cosine cosine similarity instead of euclidean distance */
    public PrototypeClassifier(boolean cosine) {
        this.cosine = cosine;
    }

    @Override
    public int[] predict(float[][] support, int[] supportWays, int ways, float[][] queries) {
        double[][] prototypes = FewShotClassifier.means(support, supportWays, ways);
        double[] norms = new double[ways];
        for (int w = 0; w < ways; w++) {
            norms[w] = Math.sqrt(dot(prototypes[w], prototypes[w]));
        }
        int[] out = new int[queries.length];
        for (int q = 0; q < queries.length; q++) {
            float[] x = queries[q];
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            double xNorm = cosine ? Math.sqrt(dot(x, x)) : 0;
            for (int w = 0; w < ways; w++) {
                double score;
                if (cosine) {
                    double denominator = xNorm * norms[w];
                    score = denominator > 0 ? dot(x, prototypes[w]) / denominator : 0;
                } else {
                    score = -FewShotClassifier.squaredDistance(x, prototypes[w]);
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = w;
                }
            }
            out[q] = best;
        }
        return out;
    }

    private static double dot(float[] a, double[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += (double) a[d] * b[d];
        }
        return s;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }
}
