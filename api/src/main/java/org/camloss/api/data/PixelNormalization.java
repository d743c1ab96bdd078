package org.camloss.api.data;

import java.util.Arrays;

/**
 * How a dataset turns 8-bit pixels into model inputs: x = (p / 255 − mean[c]) / std[c] per channel c. Lets images
 * from elsewhere ({@code camloss explain --images}) be normalised as the model was trained, and normalised images be
 * shown again as pixels.
 *
 * @param mean per-channel mean, in [0, 1] units (after /255)
 * @param std  per-channel standard deviation, positive
 */
public record PixelNormalization(double[] mean, double[] std) {
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when the arrays differ in length, are empty, or a std is not positive
     */
    public PixelNormalization {
        mean = mean.clone();
        std = std.clone();
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("pixel normalization needs one mean and one std per channel, found "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (double s : std) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException(
                        "pixel normalization: std must be positive, found " + Arrays.toString(std));
            }
        }
    }

    /** The identity on [0, 1] pixels: mean 0, std 1 for each of {@code channels} channels. */
    public static PixelNormalization unit(int channels) {
        double[] m = new double[channels];
        double[] s = new double[channels];
        Arrays.fill(s, 1.0);
        return new PixelNormalization(m, s);
    }

    /** The number of channels. */
    public int channels() {
        return mean.length;
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PixelNormalization p && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }
}
