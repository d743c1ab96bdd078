package org.camloss.runtime.fewshot;

/**
 * One nearest neighbour: a query takes the way of the support vector nearest to it by euclidean distance; of equally
 * near support vectors the one with the lower way wins (then the earlier one).
 */
public final class NearestNeighbourClassifier implements FewShotClassifier {
    @Override
    public int[] predict(float[][] support, int[] supportWays, int ways, float[][] queries) {
        int[] out = new int[queries.length];
        for (int q = 0; q < queries.length; q++) {
            float[] x = queries[q];
            int best = 0;
            double bestDistance = distance(x, support[0]);
            for (int i = 1; i < support.length; i++) {
                double dist = distance(x, support[i]);
                if (dist < bestDistance || (dist == bestDistance && supportWays[i] < supportWays[best])) {
                    bestDistance = dist;
                    best = i;
                }
            }
            out[q] = supportWays[best];
        }
        return out;
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            double t = a[d] - b[d];
            s += t * t;
        }
        return s;
    }
}
