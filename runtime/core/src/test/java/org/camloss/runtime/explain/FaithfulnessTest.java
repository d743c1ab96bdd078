package org.camloss.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The faithfulness metrics against hand computations (a 2×2 image under a model whose logit is the pixel sum) and
 * against a plain loop written from the papers' definitions (several images, channels, both baselines, a map at a
 * lower resolution than the image); RISE's blur kernel against scipy's values.
 */
class FaithfulnessTest {
    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** Two classes: z0 = Σ x, z1 = 0, so p0 = σ(Σ x). */
    private static final Function<INDArray, INDArray> SUM = images -> {
        long n = images.size(0);
        INDArray z = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            z.putScalar(
                    i,
                    0,
                    images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i))
                            .sumNumber()
                            .doubleValue());
        }
        return z;
    };

    @Test
    void aucIsRisesTrapezoidOverTheUnitInterval() {
        assertEquals(0.5, Faithfulness.auc(new double[] {1, 0.5, 0}), 1e-15);
        assertEquals((0.2 / 2 + 0.6 + 0.4 + 0.9 / 2) / 3, Faithfulness.auc(new double[] {0.2, 0.6, 0.4, 0.9}), 1e-15);
        assertEquals(0.7, Faithfulness.auc(new double[] {0.7}), 0);
    }

    @Test
    void pixelsAreOrderedByDecreasingSaliencyTiesByPosition() {
        assertArrayEquals(
                new int[] {1, 3, 0, 2, 4}, Faithfulness.salientOrder(new float[] {0.2f, 0.9f, 0.2f, 0.5f, -1f}));
    }

    @Test
    void byHandOnATwoByTwoImage() {
        // x = [1 2; 3 4], map = [0.1 0.9; 0.5 0.3]: order 1, 2, 3, 0; steps 2: two pixels per step
        INDArray x = Nd4j.createFromArray(new float[] {1, 2, 3, 4}).reshape(1, 2, 2, 1);
        float[] map = {0.1f, 0.9f, 0.5f, 0.3f};
        FaithfulnessOptions o = new FaithfulnessOptions(2, Baseline.CONSTANT, Baseline.CONSTANT);
        Faithfulness.Scores s = Faithfulness.evaluate(SUM, x, new int[] {0}, map, 2, 2, o)[0];
        double[] deletion = {sigmoid(10), sigmoid(1 + 4), sigmoid(0)};
        double[] insertion = {sigmoid(0), sigmoid(2 + 3), sigmoid(10)};
        assertArrayEquals(deletion, s.deletionCurve(), 1e-6);
        assertArrayEquals(insertion, s.insertionCurve(), 1e-6);
        assertEquals((sigmoid(10) / 2 + sigmoid(5) + 0.5 / 2) / 2, s.deletionAuc(), 1e-6);
        assertEquals((0.5 / 2 + sigmoid(5) + sigmoid(10) / 2) / 2, s.insertionAuc(), 1e-6);
        // the map min-max normalised: [0 1; 0.5 0.25], so x times it sums to 0 + 2 + 1.5 + 1 = 4.5
        assertEquals(sigmoid(10), s.confidence(), 1e-6);
        assertEquals(sigmoid(4.5), s.maskedConfidence(), 1e-6);
        assertEquals((sigmoid(10) - sigmoid(4.5)) / sigmoid(10), s.drop(), 1e-6);
        assertFalse(s.increase());
        // for class 1 (p1 = 1 − p0) the masked image is more confident: no drop, an increase
        Faithfulness.Scores t = Faithfulness.evaluate(SUM, x, new int[] {1}, map, 2, 2, o)[0];
        assertEquals(0, t.drop(), 0);
        assertTrue(t.increase());
        assertEquals(1 - sigmoid(4.5), t.maskedConfidence(), 1e-6);
    }

    @Test
    void stepsThatDoNotDivideThePixelsEndWithAShorterStep() {
        // 4 pixels, 3 steps: ⌈4/3⌉ = 2 pixels per step, so 2 steps and 3 points
        INDArray x = Nd4j.createFromArray(new float[] {1, 2, 3, 4}).reshape(1, 2, 2, 1);
        float[] map = {0.1f, 0.9f, 0.5f, 0.3f};
        Faithfulness.Scores s = Faithfulness.evaluate(
                SUM, x, new int[] {0}, map, 2, 2, new FaithfulnessOptions(3, Baseline.CONSTANT, Baseline.CONSTANT))[0];
        assertEquals(3, s.deletionCurve().length);
        // 4 steps: one pixel per step
        s = Faithfulness.evaluate(
                SUM, x, new int[] {0}, map, 2, 2, new FaithfulnessOptions(4, Baseline.CONSTANT, Baseline.CONSTANT))[0];
        assertArrayEquals(
                new double[] {sigmoid(10), sigmoid(8), sigmoid(5), sigmoid(1), sigmoid(0)}, s.deletionCurve(), 1e-6);
    }

    @Test
    void risesBlurKernelIsScipysGaussianFilterOfADelta() {
        // numpy: k = gaussian_filter(delta 11x11 at the centre, 5); k = outer(k1, k1) with k1 = k.sum(0)
        double[] scipy = {
            0.087958145777278146,
            0.088896119777094829,
            0.090474196549108654,
            0.092191117819388074,
            0.093489388442914087,
            0.093982063268432475,
            0.093489388442914087,
            0.092191117819388074,
            0.090474196549108654,
            0.088896119777094829,
            0.087958145777278146
        };
        assertArrayEquals(scipy, Faithfulness.riseKernel1d(), 1e-15);
    }

    @Test
    void blurOfADeltaIsTheKernelAndOfAConstantIsTheKernelsMassInside() {
        int side = 11;
        float[] delta = new float[side * side * 2];
        delta[(5 * side + 5) * 2 + 1] = 1; // channel 1 only
        float[] b = Faithfulness.blur(delta, 1, side, side, 2);
        double[] k = Faithfulness.riseKernel1d();
        for (int y = 0; y < side; y++) {
            for (int xx = 0; xx < side; xx++) {
                assertEquals(0, b[(y * side + xx) * 2], 0);
                assertEquals(k[y] * k[xx], b[(y * side + xx) * 2 + 1], 1e-7);
            }
        }
        // zero padding: a constant image keeps at a corner only the kernel's lower-right quarter (with the centre)
        float[] ones = new float[4 * 4];
        java.util.Arrays.fill(ones, 1f);
        float[] c = Faithfulness.blur(ones, 1, 4, 4, 1);
        double corner = 0;
        for (int a = 5; a <= 8; a++) {
            for (int bb = 5; bb <= 8; bb++) {
                corner += k[a] * k[bb];
            }
        }
        assertEquals(corner, c[0], 1e-6);
    }

    /** The games and the confidence change written out plainly from the papers, for comparison. */
    private static Faithfulness.Scores reference(
            Function<INDArray, INDArray> model,
            float[] x,
            int h,
            int w,
            int ch,
            int target,
            float[] up,
            FaithfulnessOptions o) {
        int pixels = h * w;
        float[] blurred = Faithfulness.blur(x, 1, h, w, ch);
        float[] deletionBase = o.deletionBaseline() == Baseline.BLUR ? blurred : new float[x.length];
        float[] insertionBase = o.insertionBaseline() == Baseline.BLUR ? blurred : new float[x.length];
        int[] order = Faithfulness.salientOrder(up);
        int perStep = (pixels + o.steps() - 1) / o.steps();
        int n = (pixels + perStep - 1) / perStep;
        double[] del = new double[n + 1];
        double[] ins = new double[n + 1];
        for (int s = 0; s <= n; s++) {
            int changed = Math.min(pixels, s * perStep);
            float[] d = x.clone();
            float[] in = insertionBase.clone();
            for (int k = 0; k < changed; k++) {
                for (int c = 0; c < ch; c++) {
                    int at = order[k] * ch + c;
                    d[at] = deletionBase[at];
                    in[at] = x[at];
                }
            }
            del[s] = prob(model, d, h, w, ch, target);
            ins[s] = prob(model, in, h, w, ch, target);
        }
        float[] norm = up.clone();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : norm) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] masked = new float[x.length];
        for (int p = 0; p < pixels; p++) {
            for (int c = 0; c < ch; c++) {
                masked[p * ch + c] = x[p * ch + c] * (norm[p] - min) / (max - min);
            }
        }
        return new Faithfulness.Scores(
                trapezoid(del),
                trapezoid(ins),
                prob(model, x, h, w, ch, target),
                prob(model, masked, h, w, ch, target),
                del,
                ins);
    }

    private static double trapezoid(double[] c) {
        double dx = 1.0 / (c.length - 1);
        double s = 0;
        for (int i = 1; i < c.length; i++) {
            s += dx * (c[i - 1] + c[i]) / 2;
        }
        return s;
    }

    private static double prob(Function<INDArray, INDArray> model, float[] x, int h, int w, int ch, int target) {
        double[] z = model.apply(Nd4j.create(x, new long[] {1, h, w, ch}, 'c'))
                .castTo(DataType.DOUBLE)
                .toDoubleVector();
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v);
        }
        return Math.exp(z[target]) / sum;
    }

    @Test
    void matchesALoopOverImagesChannelsAndBaselines() {
        int n = 3;
        int h = 6;
        int w = 5;
        int ch = 2;
        int k = 3;
        Random r = new Random(11);
        // a linear model with weights per class, pixel and channel
        float[][] weights = new float[k][h * w * ch];
        for (float[] row : weights) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (r.nextGaussian() * 0.3);
            }
        }
        Function<INDArray, INDArray> model = images -> {
            int m = (int) images.size(0);
            float[] px = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
            float[] z = new float[m * k];
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < k; c++) {
                    double s = 0;
                    for (int j = 0; j < h * w * ch; j++) {
                        s += weights[c][j] * px[i * h * w * ch + j];
                    }
                    z[i * k + c] = (float) s;
                }
            }
            return Nd4j.create(z, new long[] {m, k}, 'c');
        };
        float[] x = new float[n * h * w * ch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int mh = 3;
        int mw = 2;
        float[] maps = new float[n * mh * mw];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = r.nextFloat();
        }
        int[] targets = {2, 0, 1};
        INDArray images = Nd4j.create(x, new long[] {n, h, w, ch}, 'c');
        for (FaithfulnessOptions o : new FaithfulnessOptions[] {
            FaithfulnessOptions.DEFAULT,
            new FaithfulnessOptions(7, Baseline.BLUR, Baseline.CONSTANT),
            new FaithfulnessOptions(30, Baseline.CONSTANT, Baseline.CONSTANT)
        }) {
            Faithfulness.Scores[] got = Faithfulness.evaluate(model, images, targets, maps, mh, mw, o);
            for (int i = 0; i < n; i++) {
                float[] xi = java.util.Arrays.copyOfRange(x, i * h * w * ch, (i + 1) * h * w * ch);
                float[] up = new float[h * w];
                org.camloss.api.cam.Bilinear.resize(maps, i * mh * mw, mh, mw, up, 0, h, w);
                Faithfulness.Scores want = reference(model, xi, h, w, ch, targets[i], up, o);
                String where = o + ", image " + i;
                assertArrayEquals(want.deletionCurve(), got[i].deletionCurve(), 1e-5, where);
                assertArrayEquals(want.insertionCurve(), got[i].insertionCurve(), 1e-5, where);
                assertEquals(want.deletionAuc(), got[i].deletionAuc(), 1e-5, where);
                assertEquals(want.insertionAuc(), got[i].insertionAuc(), 1e-5, where);
                assertEquals(want.confidence(), got[i].confidence(), 1e-5, where);
                assertEquals(want.maskedConfidence(), got[i].maskedConfidence(), 1e-5, where);
            }
        }
    }

    @Test
    void optionsAreChecked() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new FaithfulnessOptions(0, Baseline.CONSTANT, Baseline.BLUR));
        assertEquals("steps must be in [1, 10000], found 0", e.getMessage());
    }
}
