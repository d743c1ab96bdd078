package org.camloss.runtime.explain;

import java.util.Arrays;
import java.util.function.Function;
import org.camloss.api.cam.Bilinear;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How faithful a map is to the model it explains, per image, each against the softmax probability of the map's
 * target class t:
 *
 * <ul>
 *   <li><b>deletion</b> and <b>insertion</b> (Petsiuk et al., "RISE: Randomized Input Sampling for Explanation of
 *       Black-box Models", BMVC 2018): the map, upsampled to the image ({@link Bilinear}), orders the pixels from most
 *       to least salient (ties by position, row-major). Deletion starts from the image and replaces ⌈H·W / steps⌉
 *       pixels (all channels) per step with the {@link FaithfulnessOptions#deletionBaseline() baseline}; insertion
 *       starts from the {@link FaithfulnessOptions#insertionBaseline() baseline} and puts the image's pixels back in
 *       the same order. Each game scores the n + 1 states (n = ⌈H·W / pixels per step⌉) and reports the area under
 *       its curve over [0, 1], (Σ s − s₀/2 − sₙ/2) / n, as RISE's {@code auc}. A faithful map has a low deletion and
 *       a high insertion AUC.</li>
 *   <li><b>average drop</b> and <b>increase in confidence</b> (Chattopadhay et al., "Grad-CAM++", WACV 2018): with Y
 *       the probability for the image and O for the image multiplied by the map (upsampled, min-max normalised to
 *       [0, 1], every channel of the normalised input, as pytorch-grad-cam's {@code CamMultImageConfidenceChange}),
 *       drop = max(0, Y − O) / Y and increase = [O > Y]; averaged over images and given in percent by the callers.
 *       A faithful map has a low average drop and a high increase.</li>
 * </ul>
 */
public final class Faithfulness {
    /** RISE's blur: kernel side. */
    static final int BLUR_SIDE = 11;
    /** RISE's blur: σ of the Gaussian. */
    static final double BLUR_SIGMA = 5;

    private static final double[] KERNEL_1D = riseKernel1d();

    private Faithfulness() {}

    /**
     * One image's scores for one map.
     *
     * @param deletionAuc     area under the deletion curve, in [0, 1]
     * @param insertionAuc    area under the insertion curve, in [0, 1]
     * @param confidence      Y, the target's probability for the image
     * @param maskedConfidence O, the target's probability for the image times the normalised map
     * @param deletionCurve   the deletion game's n + 1 scores
     * @param insertionCurve  the insertion game's n + 1 scores
     */
    public record Scores(
            double deletionAuc,
            double insertionAuc,
            double confidence,
            double maskedConfidence,
            double[] deletionCurve,
            double[] insertionCurve) {
        /** max(0, Y − O) / Y (0 when Y is 0). */
        public double drop() {
            return confidence > 0 ? Math.max(0, confidence - maskedConfidence) / confidence : 0;
        }

        /** Whether O > Y. */
        public boolean increase() {
            return maskedConfidence > confidence;
        }
    }

    /**
     * Scores the maps of a batch.
     *
     * @param logits  the model: logits [M, K] of images [M, H, W, C] (batching is the caller's)
     * @param images  [N, H, W, C], normalised as the model takes them
     * @param targets each image's class
     * @param maps    N·h·w raw map values, row-major
     * @return one {@link Scores} per image
     */
    public static Scores[] evaluate(
            Function<INDArray, INDArray> logits,
            INDArray images,
            int[] targets,
            float[] maps,
            int h,
            int w,
            FaithfulnessOptions options) {
        int n = (int) images.size(0);
        int height = (int) images.size(1);
        int width = (int) images.size(2);
        int channels = (int) images.size(3);
        int pixels = height * width;
        int len = pixels * channels;
        float[] x = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        DataType type = images.dataType();

        double[] y = probabilities(logits, x, n, height, width, channels, type, targets);
        int[][] order = new int[n][];
        float[] masked = new float[n * len];
        for (int i = 0; i < n; i++) {
            float[] up = new float[pixels];
            Bilinear.resize(maps, i * h * w, h, w, up, 0, height, width);
            order[i] = salientOrder(up);
            Heatmap.normalize(up);
            for (int p = 0; p < pixels; p++) {
                for (int c = 0; c < channels; c++) {
                    masked[i * len + p * channels + c] = x[i * len + p * channels + c] * up[p];
                }
            }
        }
        double[] o = probabilities(logits, masked, n, height, width, channels, type, targets);

        int perStep = (pixels + options.steps() - 1) / options.steps();
        int steps = (pixels + perStep - 1) / perStep;
        double[][] deletion = game(
                logits,
                x,
                baseline(x, n, height, width, channels, options.deletionBaseline()),
                order,
                n,
                height,
                width,
                channels,
                perStep,
                steps,
                type,
                targets);
        double[][] insertion = game(
                logits,
                baseline(x, n, height, width, channels, options.insertionBaseline()),
                x,
                order,
                n,
                height,
                width,
                channels,
                perStep,
                steps,
                type,
                targets);
        Scores[] out = new Scores[n];
        for (int i = 0; i < n; i++) {
            out[i] = new Scores(auc(deletion[i]), auc(insertion[i]), y[i], o[i], deletion[i], insertion[i]);
        }
        return out;
    }

    /**
     * The n + 1 scores of every image while its pixels go from {@code start} to {@code finish} in {@code order},
     * {@code perStep} at a time.
     */
    private static double[][] game(
            Function<INDArray, INDArray> logits,
            float[] start,
            float[] finish,
            int[][] order,
            int n,
            int height,
            int width,
            int channels,
            int perStep,
            int steps,
            DataType type,
            int[] targets) {
        int len = height * width * channels;
        float[] state = start.clone();
        double[][] curves = new double[n][steps + 1];
        for (int s = 0; s <= steps; s++) {
            double[] p = probabilities(logits, state, n, height, width, channels, type, targets);
            for (int i = 0; i < n; i++) {
                curves[i][s] = p[i];
            }
            if (s == steps) {
                break;
            }
            for (int i = 0; i < n; i++) {
                int to = Math.min(order[i].length, (s + 1) * perStep);
                for (int k = s * perStep; k < to; k++) {
                    int base = i * len + order[i][k] * channels;
                    System.arraycopy(finish, base, state, base, channels);
                }
            }
        }
        return curves;
    }

    /** The target's softmax probability for each of the n images in {@code pixels}. */
    private static double[] probabilities(
            Function<INDArray, INDArray> logits,
            float[] pixels,
            int n,
            int height,
            int width,
            int channels,
            DataType type,
            int[] targets) {
        INDArray z = logits.apply(Nd4j.create(pixels, new long[] {n, height, width, channels}, 'c')
                        .castTo(type))
                .castTo(DataType.DOUBLE);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double[] row = z.getRow(i).toDoubleVector();
            double max = Double.NEGATIVE_INFINITY;
            for (double v : row) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : row) {
                sum += Math.exp(v - max);
            }
            out[i] = Math.exp(row[targets[i]] - max) / sum;
        }
        return out;
    }

    /** Pixel indices by decreasing saliency; equal values by increasing index. */
    static int[] salientOrder(float[] saliency) {
        Integer[] idx = new Integer[saliency.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Float.compare(saliency[b], saliency[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    /** RISE's normalised area under a curve sampled at n + 1 equally spaced points of [0, 1]. */
    public static double auc(double[] curve) {
        if (curve.length < 2) {
            return curve.length == 1 ? curve[0] : Double.NaN;
        }
        double sum = 0;
        for (double v : curve) {
            sum += v;
        }
        return (sum - curve[0] / 2 - curve[curve.length - 1] / 2) / (curve.length - 1);
    }

    private static float[] baseline(float[] x, int n, int height, int width, int channels, Baseline kind) {
        return switch (kind) {
            case CONSTANT -> new float[x.length];
            case BLUR -> blur(x, n, height, width, channels);
        };
    }

    /** Every image convolved per channel with RISE's 11×11 kernel, zero padding of 5. */
    static float[] blur(float[] x, int n, int height, int width, int channels) {
        int r = BLUR_SIDE / 2;
        float[] out = new float[x.length];
        int len = height * width * channels;
        for (int i = 0; i < n; i++) {
            for (int yy = 0; yy < height; yy++) {
                for (int xx = 0; xx < width; xx++) {
                    for (int c = 0; c < channels; c++) {
                        double s = 0;
                        for (int a = 0; a < BLUR_SIDE; a++) {
                            int sy = yy + a - r;
                            if (sy < 0 || sy >= height) {
                                continue;
                            }
                            for (int b = 0; b < BLUR_SIDE; b++) {
                                int sx = xx + b - r;
                                if (sx < 0 || sx >= width) {
                                    continue;
                                }
                                s += KERNEL_1D[a] * KERNEL_1D[b] * x[i * len + (sy * width + sx) * channels + c];
                            }
                        }
                        out[i * len + (yy * width + xx) * channels + c] = (float) s;
                    }
                }
            }
        }
        return out;
    }

    /**
     * One axis of RISE's {@code gkern(11, 5)}: scipy's {@code gaussian_filter(delta, 5)} of a centred delta of length
     * 11, i.e. the 1-D Gaussian of σ = 5 truncated at 4σ, correlated with the delta under scipy's {@code reflect}
     * boundary (d c b a | a b c d | d c b a); the 2-D kernel is the outer product.
     */
    static double[] riseKernel1d() {
        int radius = (int) (4.0 * BLUR_SIGMA + 0.5);
        double[] g = new double[2 * radius + 1];
        double total = 0;
        for (int j = -radius; j <= radius; j++) {
            g[j + radius] = Math.exp(-0.5 * j * j / (BLUR_SIGMA * BLUR_SIGMA));
            total += g[j + radius];
        }
        int n = BLUR_SIDE;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = -radius; j <= radius; j++) {
                if (reflect(i + j, n) == n / 2) {
                    out[i] += g[j + radius] / total;
                }
            }
        }
        return out;
    }

    /** scipy's {@code reflect} index: half-sample symmetric, period 2n. */
    static int reflect(int k, int n) {
        int m = Math.floorMod(k, 2 * n);
        return m >= n ? 2 * n - 1 - m : m;
    }
}
