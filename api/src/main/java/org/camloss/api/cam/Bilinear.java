package org.camloss.api.cam;

/**
 * Bilinear resizing of single-channel maps with {@code align_corners=false} semantics, as PyTorch's
 * {@code F.interpolate(mode="bilinear", align_corners=False)} and OpenCV's {@code cv2.resize(INTER_LINEAR)} when
 * upsampling.
 *
 * <p>Output pixel {@code d} samples the source at {@code (d + 0.5) · in / out − 0.5}, clamped to
 * {@code [0, in − 1]}; pixel centres of input and output are aligned, edges are extended.
 */
public final class Bilinear {
    private Bilinear() {}

    /** Resizes a row-major {@code h × w} map to {@code outH × outW}; returns a new array. */
    public static float[] resize(float[] src, int h, int w, int outH, int outW) {
        float[] out = new float[outH * outW];
        resize(src, 0, h, w, out, 0, outH, outW);
        return out;
    }

    /**
     * Resizes the row-major {@code h × w} map at {@code src[srcOff]} into {@code dst[dstOff]} as {@code outH × outW}.
     *
     * @throws IllegalArgumentException when a size is not positive or an array is too short
     */
    public static void resize(float[] src, int srcOff, int h, int w, float[] dst, int dstOff, int outH, int outW) {
        if (h < 1 || w < 1 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException(
                    "bilinear resize: sizes must be positive, found " + h + "x" + w + " -> " + outH + "x" + outW);
        }
        if (srcOff < 0 || srcOff + h * w > src.length) {
            throw new IllegalArgumentException("bilinear resize: source needs " + h * w + " values at offset " + srcOff
                    + ", found length " + src.length);
        }
        if (dstOff < 0 || dstOff + outH * outW > dst.length) {
            throw new IllegalArgumentException("bilinear resize: destination needs " + outH * outW
                    + " values at offset " + dstOff + ", found length " + dst.length);
        }
        Axis ya = Axis.of(h, outH);
        Axis xa = Axis.of(w, outW);
        for (int r = 0; r < outH; r++) {
            int top = srcOff + ya.lo[r] * w;
            int bottom = srcOff + ya.hi[r] * w;
            double ly = ya.frac[r];
            for (int c = 0; c < outW; c++) {
                double lx = xa.frac[c];
                double a = src[top + xa.lo[c]];
                double b = src[top + xa.hi[c]];
                double d = src[bottom + xa.lo[c]];
                double e = src[bottom + xa.hi[c]];
                double upper = a + (b - a) * lx;
                double lower = d + (e - d) * lx;
                dst[dstOff + r * outW + c] = (float) (upper + (lower - upper) * ly);
            }
        }
    }

    /** Source indices (lower, upper) and the upper one's weight for each output position along one axis. */
    private record Axis(int[] lo, int[] hi, double[] frac) {
        static Axis of(int in, int out) {
            int[] lo = new int[out];
            int[] hi = new int[out];
            double[] frac = new double[out];
            double scale = (double) in / out;
            for (int d = 0; d < out; d++) {
                double s = Math.max(0.0, (d + 0.5) * scale - 0.5);
                int l = Math.min((int) s, in - 1);
                lo[d] = l;
                hi[d] = Math.min(l + 1, in - 1);
                frac[d] = l == in - 1 ? 0.0 : s - l;
            }
            return new Axis(lo, hi, frac);
        }
    }

    /**
     * The bilinear resize as a matrix: a row-major {@code h × w} map {@code x} (a row vector of length h·w)
     * resizes to {@code x · R}, R of shape [h·w, outH·outW], exactly as {@link #resize(float[], int, int, int, int)}.
     * Lets a graph resize maps with one matrix product (differentiable, no resize op needed).
     */
    public static double[][] matrix(int h, int w, int outH, int outW) {
        if (h < 1 || w < 1 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException(
                    "bilinear resize: sizes must be positive, found " + h + "x" + w + " -> " + outH + "x" + outW);
        }
        Axis ya = Axis.of(h, outH);
        Axis xa = Axis.of(w, outW);
        double[][] m = new double[h * w][outH * outW];
        for (int r = 0; r < outH; r++) {
            for (int c = 0; c < outW; c++) {
                int d = r * outW + c;
                m[ya.lo[r] * w + xa.lo[c]][d] += (1 - ya.frac[r]) * (1 - xa.frac[c]);
                m[ya.lo[r] * w + xa.hi[c]][d] += (1 - ya.frac[r]) * xa.frac[c];
                m[ya.hi[r] * w + xa.lo[c]][d] += ya.frac[r] * (1 - xa.frac[c]);
                m[ya.hi[r] * w + xa.hi[c]][d] += ya.frac[r] * xa.frac[c];
            }
        }
        return m;
    }
}
