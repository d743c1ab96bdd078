package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.camloss.api.RegularizerFactory;
import org.camloss.testkit.RegularizerContract;
import org.junit.jupiter.api.Test;

class MixupContractTest extends RegularizerContract {
    @Override
    protected RegularizerFactory factory() {
        return new MixupFactory();
    }

    @Test
    void betaSamplesHaveTheRightMean() {
        SplittableRandom rng = new SplittableRandom(5);
        for (double a : new double[] {0.2, 1.0, 4.0}) {
            double sum = 0;
            double sq = 0;
            int n = 20000;
            for (int i = 0; i < n; i++) {
                double x = MixupFactory.beta(a, rng);
                sum += x;
                sq += x * x;
            }
            double mean = sum / n;
            double var = sq / n - mean * mean;
            assertEquals(0.5, mean, 0.01, "mean of Beta(" + a + ", " + a + ")");
            assertEquals(1.0 / (4 * (2 * a + 1)), var, 0.01, "variance of Beta(" + a + ", " + a + ")");
        }
    }
}
