package org.camloss.losses;

import java.util.List;
import java.util.random.RandomGenerator;
import org.camloss.api.Choice;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.TargetEffect;
import org.camloss.api.data.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code random-erasing} (Zhong et al. 2020, "Random Erasing Data Augmentation", Algorithm 1): each image, with
 * probability {@code probability}, gets one rectangle erased: up to 100 attempts draw an area S_e = U(s_l, s_h)·H·W and
 * an aspect ratio r_e = U(r_1, 1/r_1), give the rectangle round(√(S_e·r_e)) rows and round(√(S_e / r_e)) columns, and
 * accept it when it is at least one pixel and smaller than the image on both sides; its top-left corner is then uniform
 * over the places where it fits. The rectangle is filled, in every channel, with {@code random} values (normal(0, 1)
 * per pixel and channel: the paper's random values, in the units of normalised images) or with the {@code mean} (0, the
 * per-channel mean of normalised images). Targets are left alone.
 */
public final class RandomErasingFactory implements RegularizerFactory {
    /** The id. */
    public static final String ID = "random-erasing";

    /** Attempts at a rectangle that fits, per image (as the authors' code). */
    static final int ATTEMPTS = 100;

    /** What an erased rectangle is filled with. */
    public enum Value implements Choice {
        /** normal(0, 1) per pixel and channel. */
        RANDOM("random"),
        /** 0, the per-channel mean of normalised images. */
        MEAN("mean");

        private final String id;

        Value(String id) {
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
        return "Random erasing (Zhong et al. 2020): erases a rectangle of random area (scale_min..scale_max of the "
                + "image) and aspect ratio (ratio..1/ratio) in each image, filled with random values or the mean.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofDouble("probability", 0.5, 0.0, 1.0, "Chance that an image gets a rectangle erased."),
                ParamSpec.ofDouble(
                        "scale_min", 0.02, Range.openClosed(0, 1), "s_l: smallest erased share of the image area."),
                ParamSpec.ofDouble(
                        "scale_max", 0.4, Range.openClosed(0, 1), "s_h: largest erased share of the image area."),
                ParamSpec.ofDouble(
                        "ratio",
                        0.3,
                        Range.openClosed(0, 1),
                        "r_1: aspect ratios (rows / columns) are drawn uniformly from [r_1, 1/r_1]."),
                ParamSpec.ofChoice(
                        "value",
                        Value.RANDOM,
                        "Fill: random (normal(0, 1) per pixel and channel) or mean (0, the mean of normalised "
                                + "images)."));
    }

    @Override
    public List<ParamProblem> validate(Params params) {
        double lo = params.getDouble("scale_min");
        double hi = params.getDouble("scale_max");
        if (lo > hi) {
            return List.of(new ParamProblem("scale_min", "must be at most scale_max (" + hi + "), found " + lo));
        }
        return List.of();
    }

    @Override
    public Regularizer create(Params params) {
        ParamProblem.throwIfAny(validate(params));
        return new RandomErasing(
                params.getDouble("probability"),
                params.getDouble("scale_min"),
                params.getDouble("scale_max"),
                params.getDouble("ratio"),
                params.getChoice("value", Value.class));
    }

    /** An erased rectangle: rows [y1, y1 + rows), columns [x1, x1 + columns). */
    record Rect(int y1, int x1, int rows, int columns) {
        /** Algorithm 1 of the paper on an h × w image; null when no attempt fits. */
        static Rect draw(int h, int w, double scaleMin, double scaleMax, double ratio, RandomGenerator rng) {
            double area = (double) h * w;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                double target = (scaleMin + (scaleMax - scaleMin) * rng.nextDouble()) * area;
                double aspect = ratio + (1 / ratio - ratio) * rng.nextDouble();
                int rows = (int) Math.round(Math.sqrt(target * aspect));
                int columns = (int) Math.round(Math.sqrt(target / aspect));
                if (rows >= 1 && columns >= 1 && rows < h && columns < w) {
                    return new Rect(rng.nextInt(h - rows + 1), rng.nextInt(w - columns + 1), rows, columns);
                }
            }
            return null;
        }
    }

    /** The regularizer. */
    record RandomErasing(double probability, double scaleMin, double scaleMax, double ratio, Value value)
            implements Regularizer {
        @Override
        public TargetEffect targetEffect() {
            return TargetEffect.KEEPS;
        }

        @Override
        public Batch apply(Batch batch, RandomGenerator rng) {
            INDArray x = batch.features();
            int h = (int) x.size(1);
            int w = (int) x.size(2);
            int c = (int) x.size(3);
            for (int i = 0; i < x.size(0); i++) {
                if (rng.nextDouble() >= probability) {
                    continue;
                }
                Rect r = Rect.draw(h, w, scaleMin, scaleMax, ratio, rng);
                if (r == null) {
                    continue;
                }
                INDArray region = x.get(
                        NDArrayIndex.point(i),
                        NDArrayIndex.interval(r.y1(), r.y1() + r.rows()),
                        NDArrayIndex.interval(r.x1(), r.x1() + r.columns()),
                        NDArrayIndex.all());
                if (value == Value.MEAN) {
                    region.assign(0);
                } else {
                    double[] noise = new double[r.rows() * r.columns() * c];
                    for (int k = 0; k < noise.length; k++) {
                        noise[k] = rng.nextGaussian();
                    }
                    region.assign(
                            Nd4j.createFromArray(noise).castTo(x.dataType()).reshape('c', r.rows(), r.columns(), c));
                }
            }
            return batch;
        }
    }
}
