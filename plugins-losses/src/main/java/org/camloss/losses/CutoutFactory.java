package org.camloss.losses;

import java.util.List;
import java.util.random.RandomGenerator;
import org.camloss.api.InputShape;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.TargetEffect;
import org.camloss.api.data.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code cutout} (DeVries and Taylor 2017, "Improved Regularization of Convolutional Neural Networks with Cutout"): each
 * image, with probability {@code probability}, gets one square patch of {@code size} × {@code size} pixels set to 0
 * in every channel — the per-channel mean, as images are normalised — centred at a uniformly drawn pixel (cy, cx):
 * rows [cy − ⌊size/2⌋, cy − ⌊size/2⌋ + size) and columns likewise, clipped to the image, so patches may cross the
 * border (as in the paper). Targets are left alone.
 */
public final class CutoutFactory implements RegularizerFactory {
    /** The id. */
    public static final String ID = "cutout";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Cutout (DeVries & Taylor 2017): zeroes a size x size patch at a random centre of each image (patches may "
                + "cross the border).";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofInt(
                        "size",
                        16,
                        1,
                        4096,
                        "Side of the square patch in pixels (the paper: 16 on CIFAR-10, 8 on CIFAR-100); at most the "
                                + "image's smaller side."),
                ParamSpec.ofDouble("probability", 1.0, 0.0, 1.0, "Chance that an image gets a patch."));
    }

    @Override
    public Regularizer create(Params params) {
        return new Cutout(params.getInt("size"), params.getDouble("probability"));
    }

    /** The patch of one image: rows [y1, y2), columns [x1, x2). */
    record Patch(int y1, int y2, int x1, int x2) {
        /** Draws the patch of side {@code size} on an h × w image. */
        static Patch draw(int h, int w, int size, RandomGenerator rng) {
            int cy = rng.nextInt(h);
            int cx = rng.nextInt(w);
            int top = cy - size / 2;
            int left = cx - size / 2;
            return new Patch(Math.max(0, top), Math.min(h, top + size), Math.max(0, left), Math.min(w, left + size));
        }
    }

    /**
     * The regularizer.
     *
     * @param size        side of the patch
     * @param probability chance an image gets one
     */
    record Cutout(int size, double probability) implements Regularizer {
        @Override
        public TargetEffect targetEffect() {
            return TargetEffect.KEEPS;
        }

        /** Refuses a patch larger than the image. */
        @Override
        public void check(InputShape input) {
            int side = Math.min(input.height(), input.width());
            if (size > side) {
                throw new IllegalArgumentException("size: the patch must fit the " + input.height() + "x"
                        + input.width() + " images (at most " + side + "), found " + size);
            }
        }

        @Override
        public Batch apply(Batch batch, RandomGenerator rng) {
            INDArray x = batch.features();
            int h = (int) x.size(1);
            int w = (int) x.size(2);
            for (int i = 0; i < x.size(0); i++) {
                if (rng.nextDouble() >= probability) {
                    continue;
                }
                Patch p = Patch.draw(h, w, size, rng);
                x.get(
                                NDArrayIndex.point(i),
                                NDArrayIndex.interval(p.y1(), p.y2()),
                                NDArrayIndex.interval(p.x1(), p.x2()),
                                NDArrayIndex.all())
                        .assign(0);
            }
            return batch;
        }
    }
}
