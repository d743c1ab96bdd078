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
    private Bilinear() {
    }

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
            throw new IllegalArgumentException("bilinear resize: sizes must be positive, found " + h + "x" + w
                    + " -> " + outH + "x" + outW);
        }
        if (srcOff < 0 || srcOff + h * w > src.length) {
            throw new IllegalArgumentException("bilinear resize: source needs " + h * w + " values at offset " + srcOff
                    + ", found length " + src.length);
        }
        if (dstOff < 0 || dstOff + outH * outW > dst.length) {
            throw new IllegalArgumentException("bilinear resize: destination needs " + outH * outW
                    + " values at offset " + dstOff + ", found length " + dst.length);
        }
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        double[] fy = new double[outH];
        axis(h, outH, y0, y1, fy);
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        double[] fx = new double[outW];
        axis(w, outW, x0, x1, fx);
        for (int r = 0; r < outH; r++) {
            int top = srcOff + y0[r] * w;
            int bottom = srcOff + y1[r] * w;
            double ly = fy[r];
            for (int c = 0; c < outW; c++) {
                double lx = fx[c];
                double a = src[top + x0[c]];
                double b = src[top + x1[c]];
                double d = src[bottom + x0[c]];
                double e = src[bottom + x1[c]];
                double upper = a + (b - a) * lx;
                double lower = d + (e - d) * lx;
                dst[dstOff + r * outW + c] = (float) (upper + (lower - upper) * ly);
            }
        }
    }

    /** Source indices and weights along one axis. */
    private static void axis(int in, int out, int[] i0, int[] i1, double[] frac) {
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double s = Math.max(0.0, (d + 0.5) * scale - 0.5);
            int lo = Math.min((int) s, in - 1);
            i0[d] = lo;
            i1[d] = Math.min(lo + 1, in - 1);
            frac[d] = lo == in - 1 ? 0.0 : s - lo;
        }
    }

    /**
     * The bilinear resize as a matrix: a row-major {@code h × w} map {@code x} (a row vector of length h·w)
     * resizes to {@code x · R}, R of shape [h·w, outH·outW], exactly as {@link #resize(float[], int, int, int, int)}.
     * Lets a graph resize maps with one matrix product (differentiable, no resize op needed).
     */
    public static double[][] matrix(int h, int w, int outH, int outW) {
        if (h < 1 || w < 1 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("bilinear resize: sizes must be positive, found " + h + "x" + w
                    + " -> " + outH + "x" + outW);
        }
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        double[] fy = new double[outH];
        axis(h, outH, y0, y1, fy);
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        double[] fx = new double[outW];
        axis(w, outW, x0, x1, fx);
        double[][] m = new double[h * w][outH * outW];
        for (int r = 0; r < outH; r++) {
            for (int c = 0; c < outW; c++) {
                int d = r * outW + c;
                m[y0[r] * w + x0[c]][d] += (1 - fy[r]) * (1 - fx[c]);
                m[y0[r] * w + x1[c]][d] += (1 - fy[r]) * fx[c];
                m[y1[r] * w + x0[c]][d] += fy[r] * (1 - fx[c]);
                m[y1[r] * w + x1[c]][d] += fy[r] * fx[c];
            }
        }
        return m;
    }
}
