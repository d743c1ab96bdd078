package org.camloss.losses;

import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.camloss.api.Choice;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.TargetEffect;
import org.camloss.api.data.Batch;
import org.camloss.api.data.RegionalTargets;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code cutmix} (Yun et al. 2019, "CutMix: Regularization Strategy to Train Strong Classifiers with Localizable
 * Features"), as in the authors' code: with probability {@code probability} a batch is mixed; λ ~ Beta(α, α); a box
 * of {@code floor(H·√(1 − λ)) × floor(W·√(1 − λ))} centred at a uniformly drawn pixel (cy, cx), rows
 * [cy − ⌊h/2⌋, cy + ⌊h/2⌋) and columns likewise, clipped to the image, is pasted into every image from its partner in a
 * random pairing π of the batch (one box and one pairing per batch); the targets become
 * q ← λ'·q + (1 − λ')·q[π] with λ' = 1 − (box area) / (H·W), the kept share after clipping.
 *
 * <p>CAM-loss's target CAM ({@code cam_target}): {@code mixed} (default) is the CAM of the mixed target, the
 * target-weighted mix of the two class CAMs, the same at every pixel. {@code regional} gives each feature-map cell the
 * CAM of the class whose image the cell's pixels came from: the batch carries {@link RegionalTargets} with two sources
 * per sample, the sample's own target (weight 1 outside the box) and its partner's (weight 1 inside), which the runtime
 * resizes to the feature grid, area-weighted at the box's edges (see {@link RegionalTargets} for the definition).
 * With {@code regional}, cutmix must be the last regularizer that changes the targets.
 */
public final class CutMixFactory implements RegularizerFactory {
    /** The id. */
    public static final String ID = "cutmix";

    /** CAM-loss's target CAM under cutmix. */
    public enum CamTarget implements Choice {
        /** The CAM of the mixed target at every pixel. */
        MIXED("mixed"),
        /** Each cell's CAM is that of the class whose image its pixels came from. */
        REGIONAL("regional");

        private final String id;

        CamTarget(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "CutMix (Yun et al. 2019): pastes a box from a partner image, box area ~ 1 - Beta(alpha, alpha), targets "
                + "mixed by area; cam_target regional gives each pixel the CAM of its own image's class.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofDouble(
                        "alpha",
                        1.0,
                        Range.openClosed(0, 100),
                        "α of the Beta(α, α) distribution of λ, the kept share of the image (1: box area uniform)."),
                ParamSpec.ofDouble(
                        "probability",
                        0.5,
                        0.0,
                        1.0,
                        "Chance that a batch is mixed (the authors' CIFAR setting is 0.5, ImageNet 1)."),
                ParamSpec.ofChoice(
                        "cam_target",
                        CamTarget.MIXED,
                        "CAM-loss's target CAM: mixed (the CAM of the mixed target) or regional (each pixel the CAM of "
                                + "the class whose image it came from)."));
    }

    @Override
    public Regularizer create(Params params) {
        return new CutMix(
                params.getDouble("alpha"),
                params.getDouble("probability"),
                params.getChoice("cam_target", CamTarget.class));
    }

    /** The box of one batch: rows [y1, y2), columns [x1, x2) (possibly empty). */
    record Box(int y1, int y2, int x1, int x2) {
        /** Its area in pixels. */
        int area() {
            return (y2 - y1) * (x2 - x1);
        }

        /** Draws the box of λ on an h × w image, as the authors' {@code rand_bbox}. */
        static Box draw(int h, int w, double lambda, RandomGenerator rng) {
            double cut = Math.sqrt(1.0 - lambda);
            int ch = (int) (h * cut);
            int cw = (int) (w * cut);
            int cy = rng.nextInt(h);
            int cx = rng.nextInt(w);
            return new Box(clip(cy - ch / 2, h), clip(cy + ch / 2, h), clip(cx - cw / 2, w), clip(cx + cw / 2, w));
        }

        private static int clip(int v, int max) {
            return Math.max(0, Math.min(max, v));
        }
    }

    /**
     * The regularizer.
     *
     * @param alpha       α of Beta(α, α)
     * @param probability chance a batch is mixed
     * @param target      the target CAM
     */
    record CutMix(double alpha, double probability, CamTarget target) implements Regularizer {
        @Override
        public TargetEffect targetEffect() {
            return target == CamTarget.REGIONAL ? TargetEffect.REGIONAL : TargetEffect.CHANGES;
        }

        @Override
        public Batch apply(Batch batch, RandomGenerator rng) {
            if (rng.nextDouble() >= probability) {
                return batch;
            }
            INDArray x = batch.features();
            int n = (int) x.size(0);
            int h = (int) x.size(1);
            int w = (int) x.size(2);
            Box box = Box.draw(h, w, MixupFactory.beta(alpha, rng), rng);
            int[] perm = permutation(n, rng);
            INDArray q = batch.targets();
            INDArray qp = Nd4j.pullRows(q, 1, perm);
            if (box.area() > 0) {
                INDArray xp =
                        Nd4j.pullRows(x.reshape(n, x.length() / n), 1, perm).reshape(x.shape());
                INDArrayIndex[] region = {
                    NDArrayIndex.all(),
                    NDArrayIndex.interval(box.y1(), box.y2()),
                    NDArrayIndex.interval(box.x1(), box.x2()),
                    NDArrayIndex.all()
                };
                x.get(region).assign(xp.get(region));
            }
            double kept = 1.0 - (double) box.area() / ((double) h * w);
            INDArray mixed = q.mul(kept).addi(qp.mul(1 - kept));
            Optional<RegionalTargets> regional = Optional.empty();
            if (target == CamTarget.REGIONAL) {
                INDArray weights = Nd4j.zeros(q.dataType(), n, h, w, 2);
                weights.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0))
                        .assign(1);
                if (box.area() > 0) {
                    INDArrayIndex[] inside = {
                        NDArrayIndex.all(),
                        NDArrayIndex.interval(box.y1(), box.y2()),
                        NDArrayIndex.interval(box.x1(), box.x2())
                    };
                    weights.get(inside[0], inside[1], inside[2], NDArrayIndex.point(0))
                            .assign(0);
                    weights.get(inside[0], inside[1], inside[2], NDArrayIndex.point(1))
                            .assign(1);
                }
                INDArray sources = Nd4j.stack(1, q, qp); // [N, 2, K]
                regional = Optional.of(new RegionalTargets(weights, sources));
            }
            return new Batch(x, mixed, regional);
        }
    }

    /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
    static int[] permutation(int n, RandomGenerator rng) {
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
        return perm;
    }
}
