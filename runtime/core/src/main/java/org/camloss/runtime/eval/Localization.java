package org.camloss.runtime.eval;

import org.camloss.api.cam.Bilinear;

/**
 * Scores one activation map against one target mask: pointing game, energy inside the mask and IoU of the
 * thresholded map.
 *
 * <p>The map (raw values at map resolution) is first resized to the mask's resolution with {@link Bilinear}, then
 * normalised per image with Φ(X) = (X − min X) / (max X − min X + ε), ε = {@value #EPS}, as in {@code docs/cam-loss.md}:
 * <ul>
 *   <li><b>pointing</b>: the first maximum of the resized map (row-major order) lies inside the mask;</li>
 *   <li><b>energy</b>: Σ<sub>mask</sub> Φ / Σ Φ;</li>
 *   <li><b>IoU</b>: of {Φ ≥ {@value #THRESHOLD}} with the mask.</li>
 * </ul>
 * A <em>flat</em> map (max − min ≤ ε) or one holding NaN or an infinity carries no location: it counts as a miss
 * with energy 0 and IoU 0.
 */
public final class Localization {
    /** ε of the min-max normalisation, and the range at or below which a map counts as flat. */
    public static final double EPS = 1e-8;
    /** Φ threshold of the IoU. */
    public static final double THRESHOLD = 0.5;

    private Localization() {}

    /**
     * The score of one map and one mask.
     *
     * @param hit    the map's maximum falls inside the mask
     * @param energy share of the normalised map's mass inside the mask, in [0, 1]
     * @param iou    IoU of the thresholded normalised map with the mask, in [0, 1]
     */
    public record Score(boolean hit, double energy, double iou) {
        /** What a flat or non-finite map scores. */
        public static final Score NONE = new Score(false, 0, 0);
    }

    /** Scores a row-major {@code h × w} map against a row-major {@code height × width} mask. */
    public static Score score(float[] map, int h, int w, boolean[] mask, int height, int width) {
        return score(map, 0, h, w, mask, 0, height, width);
    }

    /**
     * Scores the {@code h × w} map at {@code map[mapOff]} against the {@code height × width} mask at
     * {@code mask[maskOff]}.
     */
    public static Score score(
            float[] map, int mapOff, int h, int w, boolean[] mask, int maskOff, int height, int width) {
        int n = height * width;
        if (maskOff < 0 || maskOff + n > mask.length) {
            throw new IllegalArgumentException(
                    "localization: mask needs " + n + " values at offset " + maskOff + ", found length " + mask.length);
        }
        float[] up = new float[n];
        Bilinear.resize(map, mapOff, h, w, up, 0, height, width);
        return scoreResized(up, mask, maskOff);
    }

    /** Scores a map already at mask resolution (same length as the mask region). */
    static Score scoreResized(float[] up, boolean[] mask, int maskOff) {
        int n = up.length;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int argmax = -1;
        for (int i = 0; i < n; i++) {
            float v = up[i];
            if (!Float.isFinite(v)) {
                return Score.NONE;
            }
            if (v > max) {
                max = v;
                argmax = i;
            }
            if (v < min) {
                min = v;
            }
        }
        double range = max - min;
        if (argmax < 0 || range <= EPS) {
            return Score.NONE;
        }
        double denom = range + EPS;
        double total = 0;
        double inside = 0;
        int intersection = 0;
        int union = 0;
        for (int i = 0; i < n; i++) {
            double phi = (up[i] - min) / denom;
            boolean m = mask[maskOff + i];
            boolean on = phi >= THRESHOLD;
            total += phi;
            if (m) {
                inside += phi;
            }
            if (m && on) {
                intersection++;
            }
            if (m || on) {
                union++;
            }
        }
        double energy = total > 0 ? inside / total : 0;
        double iou = union > 0 ? (double) intersection / union : 0;
        return new Score(mask[maskOff + argmax], energy, iou);
    }
}
