package org.camloss.api.data;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-pixel targets of a batch whose images are assembled from regions of several images (CutMix), for CAM-loss's
 * regional target CAM ({@code cam_target: regional}).
 *
 * <p><b>Definition.</b> The target of image pixel (y, x) of sample n is the distribution
 * <pre>
 *   Q[n, y, x, :] = Σ_s weights[n, y, x, s] · sources[n, s, :]
 * </pre>
 * where {@code sources[n, s, :]} is the target of the s-th image that contributed pixels to sample n, and
 * {@code weights[n, y, x, s] ≥ 0}, summing to 1 over s at every pixel, says how much of pixel (y, x) came from it
 * (1 inside the region pasted from that image, 0 elsewhere, for CutMix). A regularizer that sets these keeps the
 * batch's targets equal to the image average of the pixel targets: for CutMix, the pasted box's share of the image is
 * the pasted image's weight in the mixed target.
 *
 * <p><b>On the feature map.</b> The head needs one target per cell of the h × w feature map the CAM lives on
 * ({@link #onGrid}). The image grid is resized to the feature grid: cell (i, j) covers the image rectangle
 * [i·H/h, (i + 1)·H/h) × [j·W/w, (j + 1)·W/w), and its target is the area-weighted mean of the pixel targets it covers,
 * a pixel cut by the cell's edge counting with the part inside. For a CutMix box, a cell's weight of the pasted image
 * is therefore the fraction of the cell that the box, resized to the feature grid, covers: 1 inside, 0 outside, the
 * covered fraction at the box's edges. The mean over the cells equals the mean over the pixels, so the feature-grid
 * targets still average to the batch's targets. The regional target CAM of sample n is then
 * M[n, i, j] = Σ_c (Q_grid[n, i, j, :] · W)[c] · F[n, c, i, j] (W the classifier weights [K, C]): each cell's CAM is
 * the CAM of the class, or mix of classes, whose image the cell's pixels came from.
 *
 * @param weights how much each pixel took from each source, [N, H, W, S] (NHWC-like: the sources last)
 * @param sources the sources' target distributions, [N, S, K]
 */
public record RegionalTargets(INDArray weights, INDArray sources) {
    /**
     * @throws IllegalArgumentException when the arrays do not have ranks 4 and 3 with matching N and S
     */
    public RegionalTargets {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(sources, "sources");
        if (weights.rank() != 4
                || sources.rank() != 3
                || weights.size(0) != sources.size(0)
                || weights.size(3) != sources.size(1)) {
            throw new IllegalArgumentException(
                    "regional targets need weights [N, H, W, S] and sources [N, S, K], found "
                            + Arrays.toString(weights.shape()) + " and " + Arrays.toString(sources.shape()));
        }
    }

    /** Every pixel with its sample's target: one source per sample, weight 1 everywhere. */
    public static RegionalTargets uniform(INDArray targets, int height, int width) {
        long n = targets.size(0);
        return new RegionalTargets(
                Nd4j.ones(targets.dataType(), n, height, width, 1), targets.reshape(n, 1, targets.size(1)));
    }

    /** N. */
    public long batch() {
        return weights.size(0);
    }

    /** K. */
    public long classes() {
        return sources.size(2);
    }

    /** The targets of every image pixel, Q [N, H, W, K]. */
    public INDArray pixelTargets() {
        int h = (int) weights.size(1);
        int w = (int) weights.size(2);
        return onGrid(h, w).reshape('c', batch(), h, w, classes());
    }

    /**
     * The target of every cell of an {@code h × w} feature map (see the class comment), [N, h·w, K], cells in row-major
     * order, in the sources' data type.
     *
     * @throws IllegalArgumentException when a size is not positive
     */
    public INDArray onGrid(int h, int w) {
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("feature grid must be positive, found " + h + "x" + w);
        }
        int n = (int) batch();
        int imgH = (int) weights.size(1);
        int imgW = (int) weights.size(2);
        int s = (int) weights.size(3);
        int k = (int) classes();
        double[] wt = flat(weights);
        double[] src = flat(sources);
        double[][] ry = areaMatrix(imgH, h);
        double[][] rx = areaMatrix(imgW, w);
        double[] out = new double[n * h * w * k];
        double[] rows = new double[h * imgW * s];
        double[] cell = new double[s];
        for (int b = 0; b < n; b++) {
            java.util.Arrays.fill(rows, 0);
            int base = b * imgH * imgW * s;
            for (int i = 0; i < h; i++) {
                for (int y = 0; y < imgH; y++) {
                    double a = ry[i][y];
                    if (a == 0) {
                        continue;
                    }
                    for (int x = 0; x < imgW; x++) {
                        for (int t = 0; t < s; t++) {
                            rows[(i * imgW + x) * s + t] += a * wt[base + (y * imgW + x) * s + t];
                        }
                    }
                }
            }
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    java.util.Arrays.fill(cell, 0);
                    for (int x = 0; x < imgW; x++) {
                        double a = rx[j][x];
                        if (a == 0) {
                            continue;
                        }
                        for (int t = 0; t < s; t++) {
                            cell[t] += a * rows[(i * imgW + x) * s + t];
                        }
                    }
                    int o = ((b * h + i) * w + j) * k;
                    for (int t = 0; t < s; t++) {
                        int q = (b * s + t) * k;
                        for (int c = 0; c < k; c++) {
                            out[o + c] += cell[t] * src[q + c];
                        }
                    }
                }
            }
        }
        DataType type = sources.dataType().isFPType() ? sources.dataType() : DataType.FLOAT;
        return Nd4j.createFromArray(out).reshape('c', n, (long) h * w, k).castTo(type);
    }

    /**
     * The area resize of an axis of {@code in} unit cells onto {@code out} cells: entry [o][i] is the length of
     * [o·in/out, (o + 1)·in/out) ∩ [i, i + 1) divided by in/out; rows sum to 1.
     */
    static double[][] areaMatrix(int in, int out) {
        double[][] r = new double[out][in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double lo = o * scale;
            double hi = (o + 1) * scale;
            for (int i = (int) Math.floor(lo); i < Math.min(in, (int) Math.ceil(hi)); i++) {
                double overlap = Math.min(hi, i + 1) - Math.max(lo, i);
                if (overlap > 0) {
                    r[o][i] = overlap / scale;
                }
            }
        }
        return r;
    }

    private static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').reshape(a.length()).toDoubleVector();
    }
}
