package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.camloss.api.Params;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.TargetEffect;
import org.camloss.api.data.Batch;
import org.camloss.api.data.RegionalTargets;
import org.camloss.testkit.RegularizerContract;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code cutmix}: the contract, and the pasted box against the targets and per-pixel targets, batch by batch. */
class CutMixContractTest extends RegularizerContract {
    private static final int N = 8;
    private static final int H = 12;
    private static final int W = 20;
    private static final int C = 2;

    @Override
    protected RegularizerFactory factory() {
        return new CutMixFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("probability", 1.0, "cam_target", "regional");
    }

    private static org.camloss.api.Regularizer cutmix(double probability, String target) {
        CutMixFactory f = new CutMixFactory();
        return f.create(Params.resolve(f.params(), Map.of("probability", probability, "cam_target", target)));
    }

    /** Image i is constant i + 1 in every pixel and channel, its target one-hot class i (N classes). */
    private static Batch labelledImages() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, N, H, W, C);
        INDArray q = Nd4j.zeros(DataType.FLOAT, N, N);
        for (int i = 0; i < N; i++) {
            x.slice(i).assign(i + 1);
            q.putScalar(i, i, 1);
        }
        return new Batch(x, q);
    }

    /**
     * Over 300 seeded batches: each image shows its partner's pixels in one box shared by the batch and its own
     * elsewhere, and its target gives the partner's class exactly the box's share of the image (and its own the rest);
     * the per-pixel targets mark that box.
     */
    @Test
    void boxAreaIsTheMixedTargetWeight() {
        org.camloss.api.Regularizer reg = cutmix(1.0, "regional");
        int mixedWithOther = 0;
        for (int seed = 0; seed < 300; seed++) {
            Batch out = reg.apply(labelledImages(), new Random(seed));
            INDArray x = out.features();
            INDArray q = out.targets();
            RegionalTargets regions = out.regional().orElseThrow();
            double boxShare = -1;
            for (int i = 0; i < N; i++) {
                int partner = -1;
                int pasted = 0;
                for (int y = 0; y < H; y++) {
                    for (int c = 0; c < W; c++) {
                        int v = (int) x.getDouble(i, y, c, 0);
                        assertEquals(v, (int) x.getDouble(i, y, c, 1), "channels pasted together");
                        boolean inBox = regions.weights().getDouble(i, y, c, 1) == 1.0;
                        assertEquals(
                                1.0 - (inBox ? 1 : 0), regions.weights().getDouble(i, y, c, 0), 0, "weights sum to 1");
                        if (v != i + 1) {
                            assertTrue(
                                    inBox,
                                    "seed " + seed + ": pixel (" + y + ", " + c + ") of image " + i
                                            + " changed outside the marked box");
                            partner = partner < 0 ? v - 1 : partner;
                            assertEquals(partner, v - 1, "one partner per image");
                        }
                        pasted += inBox ? 1 : 0;
                    }
                }
                double share = pasted / (double) (H * W);
                if (boxShare < 0) {
                    boxShare = share;
                }
                assertEquals(boxShare, share, 0, "one box per batch");
                if (partner >= 0) {
                    mixedWithOther++;
                    assertEquals(share, q.getDouble(i, partner), 1e-6, "seed " + seed + ": partner's weight");
                    assertEquals(1 - share, q.getDouble(i, i), 1e-6, "seed " + seed + ": own weight");
                    assertEquals(1.0, regions.sources().getDouble(i, 1, partner), 0, "second source: the partner");
                } else {
                    assertEquals(1.0, q.getDouble(i, i), 1e-6, "unmixed image keeps its target");
                }
                assertEquals(1.0, regions.sources().getDouble(i, 0, i), 0, "first source: the image's own target");
            }
        }
        assertTrue(mixedWithOther > 1000, "too few images mixed with another: " + mixedWithOther);
    }

    /**
     * The box's share of the image (as image 0's target shows it), averaged over 4000 batches, against its expectation
     * under λ ~ Beta(1, 1) = U(0, 1) with the authors' box rule (centre uniform, box clipped), by quadrature: within 4
     * standard errors.
     */
    @Test
    void boxAreaFollowsBetaOfAlpha() {
        org.camloss.api.Regularizer reg = cutmix(1.0, "mixed");
        int trials = 4000;
        double sum = 0;
        double sq = 0;
        for (int seed = 0; seed < trials; seed++) {
            Batch out = reg.apply(labelledImages(), new Random(seed));
            // image 0's own weight: 1 − box share, or 1 when it is paired with itself
            double share = 1 - out.targets().getDouble(0, 0);
            sum += share;
            sq += share * share;
        }
        double mean = sum / trials;
        double se = Math.sqrt((sq / trials - mean * mean) / trials);
        double expected = expectedShare(H, W);
        assertEquals(expected, mean, 4 * se, "mean share of the box (0 when image 0 is paired with itself)");
    }

    /**
     * E[box share · P(image 0 paired with another)] under λ ~ U(0, 1) with the authors' box rule, by quadrature over
     * λ and the centre.
     */
    private static double expectedShare(int h, int w) {
        double total = 0;
        int steps = 400;
        for (int s = 0; s < steps; s++) {
            double lambda = (s + 0.5) / steps;
            double cut = Math.sqrt(1 - lambda);
            int ch = (int) (h * cut);
            int cw = (int) (w * cut);
            double area = 0;
            for (int cy = 0; cy < h; cy++) {
                for (int cx = 0; cx < w; cx++) {
                    int y1 = Math.max(0, cy - ch / 2);
                    int y2 = Math.min(h, cy + ch / 2);
                    int x1 = Math.max(0, cx - cw / 2);
                    int x2 = Math.min(w, cx + cw / 2);
                    area += (double) (y2 - y1) * (x2 - x1) / (h * w);
                }
            }
            total += area / (h * w);
        }
        // image 0 keeps its target when the permutation maps it to itself (probability 1/N)
        return total / steps * (1 - 1.0 / N);
    }

    /** With probability p, about p of the batches are mixed. */
    @Test
    void mixesAboutProbabilityOfTheBatches() {
        org.camloss.api.Regularizer reg = cutmix(0.3, "mixed");
        int mixed = 0;
        int trials = 1000;
        // one generator for all batches, as in training (the first draws of new Random(seed) for small seeds are close)
        Random rng = new Random(12);
        for (int seed = 0; seed < trials; seed++) {
            Batch in = labelledImages();
            INDArray before = in.features().dup();
            Batch out = reg.apply(in, rng);
            if (!out.features().equals(before) || out.targets().getDouble(0, 0) < 1) {
                mixed++;
            }
        }
        // a mixed batch may (rarely) change nothing: an empty box and image 0 paired with itself
        assertEquals(0.3, mixed / (double) trials, 4 * Math.sqrt(0.3 * 0.7 / trials));
    }

    @Test
    void declaresItsTargetEffect() {
        assertEquals(TargetEffect.CHANGES, cutmix(1, "mixed").targetEffect());
        assertEquals(TargetEffect.REGIONAL, cutmix(1, "regional").targetEffect());
    }

    @Test
    void alphaMustBePositive() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> Params.resolve(factory().params(), Map.of("alpha", 0.0)));
        assertEquals("alpha: must be in (0, 100], found 0.0", e.getMessage());
    }
}
