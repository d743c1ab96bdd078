package org.camloss.runtime.fewshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each classifier against a hand computation on one tiny fixed feature set:
 *
 * <pre>
 *   way 0 support: (0, 0), (2, 0)   prototype (1, 0)
 *   way 1 support: (0, 4), (0, 2)   prototype (0, 3)
 * </pre>
 */
class ClassifiersTest {
    static final float[][] SUPPORT = {{0, 0}, {2, 0}, {0, 4}, {0, 2}};
    static final int[] WAYS = {0, 0, 1, 1};

    private static int predict(FewShotClassifier c, float... query) {
        return c.predict(SUPPORT, WAYS, 2, new float[][] {query})[0];
    }

    @Test
    void prototypesAreTheClassMeans() {
        double[][] means = FewShotClassifier.means(SUPPORT, WAYS, 2);
        assertArrayEquals(new double[] {1, 0}, means[0]);
        assertArrayEquals(new double[] {0, 3}, means[1]);
    }

    @Test
    void prototypeEuclidean() {
        FewShotClassifier c = new PrototypeClassifier(false);
        // (0.2, 1): |q-p0|^2 = 0.64 + 1 = 1.64, |q-p1|^2 = 0.04 + 4 = 4.04 -> way 0
        assertEquals(0, predict(c, 0.2f, 1f));
        // (0, 1.2): 1 + 1.44 = 2.44 against 3.24 -> way 0 (although (0, 2) of way 1 is the nearest example)
        assertEquals(0, predict(c, 0f, 1.2f));
        // (0, 2.5): 1 + 6.25 = 7.25 against 0.25 -> way 1
        assertEquals(1, predict(c, 0f, 2.5f));
        // (0.5, 1.5): 0.25 + 2.25 = 2.5 against 0.25 + 2.25 = 2.5, a tie -> the lower way
        assertEquals(0, predict(c, 0.5f, 1.5f));
    }

    @Test
    void prototypeCosine() {
        FewShotClassifier c = new PrototypeClassifier(true);
        // (0.2, 1): cos with (1, 0) = 0.2/|q|, with (0, 3) = 1/|q| -> way 1 (euclidean says way 0)
        assertEquals(1, predict(c, 0.2f, 1f));
        // (3, 2): 3/sqrt(13) = 0.83 against 2/sqrt(13) = 0.55 -> way 0
        assertEquals(0, predict(c, 3f, 2f));
        // scale does not matter
        assertEquals(1, predict(c, 20f, 100f));
        // the zero vector has similarity 0 with both, a tie -> the lower way
        assertEquals(0, predict(c, 0f, 0f));
    }

    @Test
    void prototypeCosineComparesWithTheMeanOfRawFeatures() {
        // way 0: (10, 0) and (0, 1): raw mean (5, 0.5) points along x; the mean of unit vectors (0.5, 0.5) would not
        float[][] support = {{10, 0}, {0, 1}, {1, 1.2f}};
        int[] ways = {0, 0, 1};
        // query (1, 1): cos with (5, 0.5) = 5.5/(sqrt(2)*5.025) = 0.774; with (1, 1.2) = 2.2/(sqrt(2)*1.562) = 0.996
        assertEquals(1, new PrototypeClassifier(true).predict(support, ways, 2, new float[][] {{1, 1}})[0]);
        // query (1, 0.1): 5.05/(1.005*5.025) = 0.99998; 1.12/(1.005*1.562) = 0.713 -> way 0
        assertEquals(0, new PrototypeClassifier(true).predict(support, ways, 2, new float[][] {{1, 0.1f}})[0]);
    }

    @Test
    void nearestNeighbour() {
        FewShotClassifier c = new NearestNeighbourClassifier();
        // (0, 1.2): distances^2 to the support 1.44, 5.44, 7.84, 0.64 -> (0, 2) of way 1 (the prototypes say way 0)
        assertEquals(1, predict(c, 0f, 1.2f));
        // (1.5, 0.5): 2.5, 0.5, 14.5, 4.5 -> (2, 0) of way 0
        assertEquals(0, predict(c, 1.5f, 0.5f));
        // (0, 1): 1 to (0, 0) of way 0 and 1 to (0, 2) of way 1, a tie -> the lower way
        assertEquals(0, predict(c, 0f, 1f));
        // a tie between ways listed high-way first still goes to the lower way
        assertEquals(0, c.predict(new float[][] {{0, 2}, {0, 0}}, new int[] {1, 0}, 2, new float[][] {{0, 1}})[0]);
    }

    @Test
    void logisticFirstAdamStepByHand() {
        // x0 = (1, 0) of way 0, x1 = (0, 1) of way 1; at W = 0, b = 0 both softmaxes are (1/2, 1/2), so
        // dL/dW0 = ((1/2 - 1)(1, 0) + (1/2)(0, 1)) / 2 = (-1/4, 1/4), dL/dW1 = (1/4, -1/4), dL/db = (0, 0)
        // (the L2 term's gradient is 0 at W = 0). Adam's first bias-corrected step is lr * g / (|g| + eps).
        float[][] support = {{1, 0}, {0, 1}};
        int[] ways = {0, 1};
        LogisticClassifier oneStep = new LogisticClassifier(1, 0.01, 1e-3);
        double[][] g = new double[2][2];
        double[] gb = new double[2];
        oneStep.gradient(new LogisticClassifier.Linear(new double[2][2], new double[2]), support, ways, g, gb);
        assertArrayEquals(new double[] {-0.25, 0.25}, g[0], 1e-15);
        assertArrayEquals(new double[] {0.25, -0.25}, g[1], 1e-15);
        assertArrayEquals(new double[] {0, 0}, gb, 1e-15);
        LogisticClassifier.Linear w = oneStep.fit(support, ways, 2);
        double step = 0.01 * 0.25 / (0.25 + 1e-8);
        assertArrayEquals(new double[] {step, -step}, w.weight()[0], 1e-15);
        assertArrayEquals(new double[] {-step, step}, w.weight()[1], 1e-15);
        assertArrayEquals(new double[] {0, 0}, w.bias(), 1e-15);
        // the loss at zero is ln 2 and the step lowers it
        assertEquals(
                Math.log(2),
                oneStep.loss(new LogisticClassifier.Linear(new double[2][2], new double[2]), support, ways),
                1e-15);
        assertTrue(oneStep.loss(w, support, ways) < Math.log(2));
    }

    @Test
    void logisticGradientMatchesFiniteDifferencesOfItsLoss() {
        Random rng = new Random(5);
        float[][] support = new float[6][4];
        for (float[] row : support) {
            for (int d = 0; d < row.length; d++) {
                row[d] = (float) rng.nextGaussian();
            }
        }
        int[] ways = {0, 1, 2, 0, 1, 2};
        double[][] weight = new double[3][4];
        double[] bias = new double[3];
        for (int k = 0; k < 3; k++) {
            bias[k] = rng.nextGaussian();
            for (int d = 0; d < 4; d++) {
                weight[k][d] = rng.nextGaussian();
            }
        }
        LogisticClassifier c = new LogisticClassifier(100, 0.01, 0.3);
        LogisticClassifier.Linear model = new LogisticClassifier.Linear(weight, bias);
        double[][] g = new double[3][4];
        double[] gb = new double[3];
        c.gradient(model, support, ways, g, gb);
        double h = 1e-6;
        for (int k = 0; k < 3; k++) {
            for (int d = 0; d < 4; d++) {
                double saved = weight[k][d];
                weight[k][d] = saved + h;
                double up = c.loss(model, support, ways);
                weight[k][d] = saved - h;
                double down = c.loss(model, support, ways);
                weight[k][d] = saved;
                assertEquals((up - down) / (2 * h), g[k][d], 1e-7, "dL/dW[" + k + "][" + d + "]");
            }
            double saved = bias[k];
            bias[k] = saved + h;
            double up = c.loss(model, support, ways);
            bias[k] = saved - h;
            double down = c.loss(model, support, ways);
            bias[k] = saved;
            assertEquals((up - down) / (2 * h), gb[k], 1e-7, "dL/db[" + k + "]");
        }
    }

    @Test
    void logisticLearnsTheTinySet() {
        LogisticClassifier c = LogisticClassifier.standard();
        LogisticClassifier.Linear w = c.fit(SUPPORT, WAYS, 2);
        assertTrue(c.loss(w, SUPPORT, WAYS) < 0.2, "loss after 100 steps: " + c.loss(w, SUPPORT, WAYS));
        // it labels its own support correctly, and points on the far side of each class
        assertArrayEquals(WAYS, c.predict(SUPPORT, WAYS, 2, SUPPORT));
        assertArrayEquals(new int[] {0, 1}, c.predict(SUPPORT, WAYS, 2, new float[][] {{5, 0}, {0, 5}}));
        // and the same support always gives the same classifier
        assertArrayEquals(w.weight()[1], c.fit(SUPPORT, WAYS, 2).weight()[1]);
    }

    @Test
    void everyMethodHasAClassifierAndAnIdError() {
        for (FewShotMethod m : FewShotMethod.values()) {
            assertEquals(m, FewShotMethod.of(m.id()));
            assertArrayEquals(WAYS, m.create().predict(SUPPORT, WAYS, 2, SUPPORT), m.id());
        }
        assertEquals(
                "--classifier: must be one of [prototype, prototype-cosine, logistic, nearest], found 'logistc'; "
                        + "did you mean 'logistic'?",
                org.junit.jupiter.api.Assertions.assertThrows(
                                org.camloss.api.UserException.class, () -> FewShotMethod.of("logistc"))
                        .getMessage());
    }
}
