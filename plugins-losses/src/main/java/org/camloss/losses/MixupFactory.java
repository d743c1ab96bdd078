package org.camloss.losses;

import java.util.List;
import java.util.random.RandomGenerator;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.data.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code mixup} (Zhang et al. 2018): with λ ~ Beta(α, α) and a random pairing π of the batch,
 * x ← λ·x + (1 − λ)·x[π], q ← λ·q + (1 − λ)·q[π]. CAM-loss then uses the mixed target CAM.
 */
public final class MixupFactory implements RegularizerFactory {
    @Override
    public String id() {
        return "mixup";
    }

    @Override
    public String description() {
        return "Mixup: convex combinations of image pairs and their targets, lambda ~ Beta(alpha, alpha).";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofDouble("alpha", 1.0, 1e-3, 100.0, "α of the Beta(α, α) distribution of λ."),
                ParamSpec.ofDouble("probability", 1.0, 0.0, 1.0, "Chance that a batch is mixed at all."));
    }

    @Override
    public Regularizer create(Params params) {
        double alpha = params.getDouble("alpha");
        double probability = params.getDouble("probability");
        return new Regularizer() {
            @Override
            public Batch apply(Batch batch, RandomGenerator rng) {
                if (rng.nextDouble() >= probability) {
                    return batch;
                }
                double lambda = beta(alpha, rng);
                int n = (int) batch.features().size(0);
                int[] perm = new int[n];
                for (int i = 0; i < n; i++) {
                    perm[i] = i;
                }
                for (int i = n - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = perm[i];
                    perm[i] = perm[j];
                    perm[j] = t;
                }
                INDArray x = batch.features();
                INDArray q = batch.targets();
                INDArray xp =
                        Nd4j.pullRows(x.reshape(n, x.length() / n), 1, perm).reshape(x.shape());
                INDArray qp = Nd4j.pullRows(q, 1, perm);
                return new Batch(
                        x.mul(lambda).addi(xp.muli(1 - lambda)), q.mul(lambda).addi(qp.muli(1 - lambda)));
            }
        };
    }

    /** A Beta(a, a) sample from two Gamma(a, 1) samples. */
    static double beta(double a, RandomGenerator rng) {
        double x = gamma(a, rng);
        double y = gamma(a, rng);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /** Marsaglia–Tsang Gamma(a, 1), with the boost for a < 1. */
    static double gamma(double a, RandomGenerator rng) {
        if (a < 1) {
            return gamma(a + 1, rng) * Math.pow(rng.nextDouble(), 1.0 / a);
        }
        double d = a - 1.0 / 3;
        double c = 1.0 / Math.sqrt(9 * d);
        while (true) {
            double z;
            double v;
            do {
                z = rng.nextGaussian();
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
