package org.camloss.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.camloss.api.DatasetFactory;
import org.camloss.api.InputShape;
import org.camloss.api.ParamProblem;
import org.camloss.api.Params;
import org.junit.jupiter.api.Test;

class ShapesDatasetTest {
    private static final ShapesDatasetFactory FACTORY = new ShapesDatasetFactory();
    /** SHA-256 of the pixels, masks and labels of a small dataset rendered by {@code shapes-v1}. */
    private static final String GOLDEN_SHA256 = "fc8785384a9e100fc8c00c07134276cbc95076e6ad7145bfc4211f9de28e7040";

    private static ShapesDataset create(Map<String, ?> raw) {
        return (ShapesDataset) FACTORY.create(Params.resolve(FACTORY.params(), raw));
    }

    @Test
    void isFoundThroughServiceLoaderWithValidDefaults() {
        List<String> ids = ServiceLoader.load(DatasetFactory.class).stream()
                .map(p -> p.get().id())
                .toList();
        assertTrue(ids.contains("shapes"), "ServiceLoader found " + ids);
        Params defaults = Params.defaults(FACTORY.params());
        assertEquals(
                Map.of(
                        "classes",
                        4,
                        "train",
                        5000,
                        "test",
                        1000,
                        "size",
                        32,
                        "distractors",
                        2,
                        "clutter",
                        0.3,
                        "min_scale",
                        0.3,
                        "max_scale",
                        0.6,
                        "seed",
                        0),
                defaults.asMap());
        FACTORY.params().forEach(p -> assertFalse(p.description().isBlank(), p.name()));
    }

    @Test
    void defaultDatasetIsCreatedQuickly() {
        long t0 = System.nanoTime();
        ShapesDataset ds = (ShapesDataset) FACTORY.create(Params.defaults(FACTORY.params()));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(5000, ds.train().size());
        assertEquals(1000, ds.test().size());
        // About 0.3 s cold on 2 idle cores; the bound leaves room for a busy build machine.
        assertTrue(ms < 3000, "creating 6000 images of 32x32 took " + ms + " ms");
    }

    @Test
    void infoDescribesTheData() {
        ShapesDataset ds = create(Map.of("train", 10, "test", 10, "classes", 3, "size", 24, "seed", 7));
        assertEquals("shapes(classes=3,size=24,seed=7)", ds.info().name());
        assertEquals(List.of("circle", "square", "triangle"), ds.info().classes());
        assertEquals(new InputShape(3, 24, 24), ds.info().shape());
        assertTrue(ds.info().fingerprint().matches("[0-9a-f]{64}"), ds.info().fingerprint());
        assertEquals(
                ds.info().fingerprint(),
                create(Map.of("train", 10, "test", 10, "classes", 3, "size", 24, "seed", 7))
                        .info()
                        .fingerprint());
        assertNotEquals(
                ds.info().fingerprint(),
                create(Map.of("train", 10, "test", 10, "classes", 3, "size", 24, "seed", 8))
                        .info()
                        .fingerprint());
        assertNotEquals(
                ds.info().fingerprint(),
                create(Map.of("train", 10, "test", 11, "classes", 3, "size", 24, "seed", 7))
                        .info()
                        .fingerprint());
        assertTrue(ds.train().hasMasks());
        assertTrue(ds.test().hasMasks());
    }

    @Test
    void sameSeedGivesSameBytesAndOtherSeedOtherBytes() {
        Map<String, Object> raw = new HashMap<>(Map.of("train", 200, "test", 50, "seed", 3));
        ShapesDataset a = create(raw);
        ShapesDataset b = create(raw);
        raw.put("seed", 4);
        ShapesDataset c = create(raw);
        int len = 32 * 32 * 3;
        float[] x = new float[len];
        float[] y = new float[len];
        boolean[] ma = new boolean[32 * 32];
        boolean[] mb = new boolean[32 * 32];
        int differing = 0;
        for (int i = 0; i < 200; i++) {
            a.train().image(i, x, 0);
            b.train().image(i, y, 0);
            assertArrayEquals(x, y, "image " + i);
            assertEquals(a.train().label(i), b.train().label(i));
            a.train().mask(i, ma, 0);
            b.train().mask(i, mb, 0);
            assertArrayEquals(ma, mb);
            if (!java.util.Arrays.equals(a.train().displayImage(i), c.train().displayImage(i))) {
                differing++;
            }
        }
        assertEquals(200, differing);
    }

    @Test
    void renderingMatchesTheRecordedVersion() throws Exception {
        // If this fails, rendering changed: bump ShapesGenerator.VERSION (it is in the fingerprint) and the hash.
        ShapesDataset ds = create(Map.of("train", 20, "test", 20, "classes", 6, "distractors", 4));
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        boolean[] mask = new boolean[32 * 32];
        for (ShapesSplit split : List.of(ds.train(), ds.test())) {
            for (int i = 0; i < split.size(); i++) {
                sha.update(bytesOf(split.displayImage(i)));
                split.mask(i, mask, 0);
                for (boolean b : mask) {
                    sha.update((byte) (b ? 1 : 0));
                }
                sha.update((byte) split.label(i));
            }
        }
        assertEquals("shapes-v1", ShapesGenerator.VERSION);
        assertEquals(GOLDEN_SHA256, java.util.HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void exampleDoesNotDependOnGenerationOrderOrStorage() {
        ShapesGenerator g = new ShapesGenerator(20, 5, 3, 0.5, 0.3, 0.7);
        ShapesSplit stored = ShapesSplit.generate(g, 99, 40, true);
        ShapesSplit lazy = ShapesSplit.generate(g, 99, 40, false);
        assertTrue(stored.isStored());
        assertFalse(lazy.isStored());
        boolean[] m1 = new boolean[400 + 5];
        boolean[] m2 = new boolean[400 + 5];
        for (int i = 39; i >= 0; i -= 3) { // read back to front, skipping
            assertArrayEquals(stored.displayImage(i), lazy.displayImage(i), "image " + i);
            assertEquals(stored.label(i), lazy.label(i));
            stored.mask(i, m1, 5);
            lazy.mask(i, m2, 5);
            assertArrayEquals(m1, m2);
        }
    }

    @Test
    void trainAndTestShareNoImage() {
        ShapesDataset ds = create(Map.of("train", 1000, "test", 300));
        Set<ByteBuffer> train = new HashSet<>();
        for (int i = 0; i < ds.train().size(); i++) {
            train.add(bytesOf(ds.train().displayImage(i)));
        }
        assertEquals(1000, train.size(), "train images are distinct");
        for (int i = 0; i < ds.test().size(); i++) {
            assertFalse(train.contains(bytesOf(ds.test().displayImage(i))), "test image " + i + " is in train");
        }
    }

    @Test
    void classesAppearInRoughlyEqualProportions() {
        ShapesDataset ds = create(Map.of("train", 3000, "test", 10, "classes", 6, "size", 16, "min_scale", 0.5));
        int[] counts = new int[6];
        for (int i = 0; i < 3000; i++) {
            counts[ds.train().label(i)]++;
        }
        for (int k = 0; k < 6; k++) {
            assertTrue(Math.abs(counts[k] - 500) < 75, "class " + k + " appears " + counts[k] + " times of 3000");
        }
    }

    @Test
    void targetIsVisibleWithAReasonableMaskArea() {
        ShapesDataset ds = create(Map.of("train", 300, "test", 300, "classes", 6, "distractors", 10, "clutter", 1.0));
        for (ShapesSplit split : List.of(ds.train(), ds.test())) {
            float[] img = new float[32 * 32 * 3];
            boolean[] mask = new boolean[32 * 32];
            for (int i = 0; i < split.size(); i++) {
                double area = split.maskArea(i) / (32.0 * 32.0);
                assertTrue(area >= 0.02 && area <= 0.60, "example " + i + " mask covers " + area);
                // The target is drawn in one colour: inside the mask, pixels differ only by the pixel noise.
                split.displayImage(i, img, 0);
                split.mask(i, mask, 0);
                float[] first = null;
                for (int p = 0; p < mask.length; p++) {
                    if (mask[p]) {
                        if (first == null) {
                            first = new float[] {img[3 * p], img[3 * p + 1], img[3 * p + 2]};
                        }
                        for (int c = 0; c < 3; c++) {
                            assertTrue(Math.abs(img[3 * p + c] - first[c]) <= 0.2 + 2 / 255.0, "example " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void imagesAreNormalisedWithTrainStatistics() {
        ShapesDataset ds = create(Map.of("train", 500, "test", 100));
        float[] mean = ds.train().channelMean();
        float[] std = ds.train().channelStd();
        assertArrayEquals(mean, ds.test().channelMean());
        double[] sum = new double[3];
        double[] sumSq = new double[3];
        float[] norm = new float[32 * 32 * 3 + 2];
        for (int i = 0; i < 500; i++) {
            ds.train().image(i, norm, 2);
            float[] raw = ds.train().displayImage(i);
            for (int j = 0; j < raw.length; j++) {
                assertEquals((raw[j] - mean[j % 3]) / std[j % 3], norm[j + 2], 1e-5);
                sum[j % 3] += norm[j + 2];
                sumSq[j % 3] += norm[j + 2] * norm[j + 2];
            }
        }
        double n = 500.0 * 32 * 32;
        for (int c = 0; c < 3; c++) {
            assertEquals(0.0, sum[c] / n, 1e-3);
            assertEquals(1.0, Math.sqrt(sumSq[c] / n - Math.pow(sum[c] / n, 2)), 1e-3);
        }
    }

    @Test
    void colourHistogramsDoNotRevealTheLabel() {
        ShapesDataset ds = create(Map.of("train", 2000, "test", 1000));
        double accuracy = colourClassifierAccuracy(ds, 4);
        assertTrue(accuracy < 0.25 + 0.06, "a colour-histogram classifier reached " + accuracy + " with 4 classes");

        // Positive control: the same classifier on a shape feature of the target mask is far above chance.
        double control = SoftmaxRegression.fitAndScore(
                maskProfiles(ds.train()), labels(ds.train()), maskProfiles(ds.test()), labels(ds.test()), 4);
        assertTrue(control > 0.6, "the control classifier reached only " + control);
    }

    @Test
    void colourHistogramsDoNotRevealTheLabelWithAllClassesAndHeavyClutter() {
        ShapesDataset ds =
                create(Map.of("train", 2000, "test", 1000, "classes", 6, "distractors", 6, "clutter", 1.0, "size", 24));
        double accuracy = colourClassifierAccuracy(ds, 6);
        assertTrue(accuracy < 1.0 / 6 + 0.06, "a colour-histogram classifier reached " + accuracy + " with 6 classes");
    }

    @Test
    void everyClassCoversTheSameShareOfItsBox() {
        ShapesDataset ds = create(Map.of("train", 3000, "test", 10, "classes", 6, "distractors", 0));
        double[] area = new double[6];
        int[] count = new int[6];
        for (int i = 0; i < 3000; i++) {
            area[ds.train().label(i)] += ds.train().maskArea(i);
            count[ds.train().label(i)]++;
        }
        double all = java.util.Arrays.stream(area).sum() / 3000;
        for (int k = 0; k < 6; k++) {
            double mean = area[k] / count[k];
            assertTrue(
                    Math.abs(mean / all - 1) < 0.08,
                    ds.info().classes().get(k) + " covers " + mean + " pixels on average, all classes " + all);
        }
    }

    @Test
    void minScaleAboveMaxScaleIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> create(Map.of("min_scale", 0.7, "max_scale", 0.5)));
        assertEquals("min_scale must be <= max_scale, found min_scale=0.7 > max_scale=0.5", e.getMessage());
    }

    @Test
    void bothScaleRulesAreReportedTogetherBeforeAnythingIsGenerated() {
        ShapesDatasetFactory f = new ShapesDatasetFactory();
        assertEquals(
                List.of(
                        new ParamProblem("", "min_scale must be <= max_scale, found min_scale=0.7 > max_scale=0.6"),
                        new ParamProblem(
                                "",
                                "min_scale * size must be at least 4 pixels so the target is visible, "
                                        + "found 0.7 * 5 = 3.5")),
                f.validate(Params.ofResolved(
                        new java.util.LinkedHashMap<>(Map.of("min_scale", 0.7, "max_scale", 0.6, "size", 5)))));
    }

    @Test
    void invisiblySmallTargetsAreRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> create(Map.of("size", 16, "min_scale", 0.2)));
        assertEquals(
                "min_scale * size must be at least 4 pixels so the target is visible, found 0.2 * 16 = 3.2",
                e.getMessage());
    }

    @Test
    void outOfRangeParamsAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create(Map.of("classes", 7)));
        assertEquals("classes: must be in [2, 6], found 7", e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private static ByteBuffer bytesOf(float[] img) {
        ByteBuffer b = ByteBuffer.allocate(img.length);
        for (float f : img) {
            b.put((byte) Math.round(f * 255));
        }
        return b.flip();
    }

    private static double colourClassifierAccuracy(ShapesDataset ds, int k) {
        return SoftmaxRegression.fitAndScore(
                colourHistograms(ds.train()), labels(ds.train()), colourHistograms(ds.test()), labels(ds.test()), k);
    }

    private static int[] labels(ShapesSplit split) {
        int[] y = new int[split.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = split.label(i);
        }
        return y;
    }

    /** A 4×4×4 joint colour histogram plus per-channel mean and spread: 70 features, no spatial information. */
    private static double[][] colourHistograms(ShapesSplit split) {
        int px = split.side() * split.side();
        double[][] x = new double[split.size()][70];
        float[] img = new float[px * 3];
        for (int i = 0; i < split.size(); i++) {
            split.displayImage(i, img, 0);
            double[] f = x[i];
            for (int p = 0; p < px; p++) {
                int r = Math.min(3, (int) (img[3 * p] * 4));
                int g = Math.min(3, (int) (img[3 * p + 1] * 4));
                int b = Math.min(3, (int) (img[3 * p + 2] * 4));
                f[r * 16 + g * 4 + b] += 1.0 / px;
                for (int c = 0; c < 3; c++) {
                    f[64 + c] += img[3 * p + c] / px;
                    f[67 + c] += img[3 * p + c] * img[3 * p + c] / px;
                }
            }
        }
        return x;
    }

    /**
     * Shape features of the mask, invariant to position: the fraction of the mask's bounding box it fills and
     * the fill of a 4×4 grid over that box.
     */
    private static double[][] maskProfiles(ShapesSplit split) {
        int s = split.side();
        double[][] x = new double[split.size()][17];
        boolean[] m = new boolean[s * s];
        for (int i = 0; i < split.size(); i++) {
            split.mask(i, m, 0);
            int x0 = s, y0 = s, x1 = -1, y1 = -1, n = 0;
            for (int p = 0; p < m.length; p++) {
                if (m[p]) {
                    x0 = Math.min(x0, p % s);
                    x1 = Math.max(x1, p % s);
                    y0 = Math.min(y0, p / s);
                    y1 = Math.max(y1, p / s);
                    n++;
                }
            }
            double bw = x1 - x0 + 1;
            double bh = y1 - y0 + 1;
            x[i][16] = n / (bw * bh);
            for (int p = 0; p < m.length; p++) {
                if (m[p]) {
                    int gx = Math.min(3, (int) ((p % s - x0) / bw * 4));
                    int gy = Math.min(3, (int) ((p / s - y0) / bh * 4));
                    x[i][gy * 4 + gx] += 16.0 / (bw * bh);
                }
            }
        }
        return x;
    }

    /** Multinomial logistic regression by full-batch gradient descent on standardised features. */
    static final class SoftmaxRegression {
        static double fitAndScore(double[][] xTrain, int[] yTrain, double[][] xTest, int[] yTest, int k) {
            int d = xTrain[0].length;
            double[] mu = new double[d];
            double[] sd = new double[d];
            for (double[] row : xTrain) {
                for (int j = 0; j < d; j++) {
                    mu[j] += row[j] / xTrain.length;
                }
            }
            for (double[] row : xTrain) {
                for (int j = 0; j < d; j++) {
                    sd[j] += (row[j] - mu[j]) * (row[j] - mu[j]) / xTrain.length;
                }
            }
            for (int j = 0; j < d; j++) {
                sd[j] = Math.sqrt(sd[j]) + 1e-9;
            }
            double[][] w = new double[k][d + 1];
            double[] z = new double[d + 1];
            double lr = 0.5;
            for (int it = 0; it < 300; it++) {
                double[][] grad = new double[k][d + 1];
                for (int n = 0; n < xTrain.length; n++) {
                    standardise(xTrain[n], mu, sd, z);
                    double[] prob = softmax(w, z);
                    for (int c = 0; c < k; c++) {
                        double g = (prob[c] - (yTrain[n] == c ? 1 : 0)) / xTrain.length;
                        for (int j = 0; j <= d; j++) {
                            grad[c][j] += g * z[j];
                        }
                    }
                }
                for (int c = 0; c < k; c++) {
                    for (int j = 0; j <= d; j++) {
                        w[c][j] -= lr * (grad[c][j] + 1e-4 * w[c][j]);
                    }
                }
            }
            int correct = 0;
            for (int n = 0; n < xTest.length; n++) {
                standardise(xTest[n], mu, sd, z);
                double[] prob = softmax(w, z);
                int best = 0;
                for (int c = 1; c < k; c++) {
                    best = prob[c] > prob[best] ? c : best;
                }
                correct += best == yTest[n] ? 1 : 0;
            }
            return (double) correct / xTest.length;
        }

        private static void standardise(double[] x, double[] mu, double[] sd, double[] z) {
            for (int j = 0; j < x.length; j++) {
                z[j] = (x[j] - mu[j]) / sd[j];
            }
            z[x.length] = 1;
        }

        private static double[] softmax(double[][] w, double[] z) {
            double[] s = new double[w.length];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < w.length; c++) {
                for (int j = 0; j < z.length; j++) {
                    s[c] += w[c][j] * z[j];
                }
                max = Math.max(max, s[c]);
            }
            double sum = 0;
            for (int c = 0; c < w.length; c++) {
                s[c] = Math.exp(s[c] - max);
                sum += s[c];
            }
            for (int c = 0; c < w.length; c++) {
                s[c] /= sum;
            }
            return s;
        }
    }
}
