package org.camloss.runtime.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.camloss.api.cam.Bilinear;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class LocalizationTest {
    private static final boolean T = true;
    private static final boolean F = false;

    @Test
    void bilinearUpsamples2x2To4x4LikePyTorchWithAlignCornersFalse() {
        // torch.nn.functional.interpolate(torch.arange(4.).view(1, 1, 2, 2), size=4, mode="bilinear",
        // align_corners=False): sample positions per axis are clamp((d + 0.5) / 2 - 0.5) = 0, 0.25, 0.75, 1.
        float[] out = Bilinear.resize(new float[] {0, 1, 2, 3}, 2, 2, 4, 4);
        assertArrayEquals(
                new float[] {
                    0.0f, 0.25f, 0.75f, 1.0f,
                    0.5f, 0.75f, 1.25f, 1.5f,
                    1.5f, 1.75f, 2.25f, 2.5f,
                    2.0f, 2.25f, 2.75f, 3.0f
                },
                out,
                1e-6f);
    }

    @Test
    void bilinearHandlesNonSquareDownsamplingAndIdentity() {
        // Columns 3 -> 6 sample at 0 (clamped), 0.25, 0.75, 1.25, 1.75, 2 (clamped).
        assertArrayEquals(
                new float[] {0, 2.5f, 7.5f, 12.5f, 17.5f, 20, 0, 2.5f, 7.5f, 12.5f, 17.5f, 20},
                Bilinear.resize(new float[] {0, 10, 20}, 1, 3, 2, 6),
                1e-5f);
        // 4 -> 2 samples at 0.5 and 2.5: means of neighbouring pairs.
        assertArrayEquals(new float[] {0.5f, 2.5f}, Bilinear.resize(new float[] {0, 1, 2, 3}, 1, 4, 1, 2), 1e-6f);
        float[] x = {3, -1, 4, 1, 5, 9};
        assertArrayEquals(x, Bilinear.resize(x, 2, 3, 2, 3));
        float[] dst = new float[10];
        Bilinear.resize(new float[] {9, 0, 1, 2, 3}, 1, 2, 2, dst, 3, 4, 1);
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 1.0f, 2.0f, 2.5f, 0, 0, 0}, dst, 1e-6f);
    }

    @Test
    void bilinearMatrixResizesExactlyAsTheDirectResize() {
        java.util.Random rnd = new java.util.Random(4);
        int[][] sizes = {{2, 2, 4, 4}, {8, 10, 4, 5}, {3, 3, 7, 5}, {4, 4, 4, 4}, {16, 20, 3, 3}};
        for (int[] s : sizes) {
            float[] src = new float[s[0] * s[1]];
            for (int k = 0; k < src.length; k++) {
                src[k] = rnd.nextFloat() * 2 - 1;
            }
            float[] direct = Bilinear.resize(src, s[0], s[1], s[2], s[3]);
            double[][] m = Bilinear.matrix(s[0], s[1], s[2], s[3]);
            for (int d = 0; d < direct.length; d++) {
                double v = 0;
                double weights = 0;
                for (int k = 0; k < src.length; k++) {
                    v += src[k] * m[k][d];
                    weights += m[k][d];
                }
                assertEquals(direct[d], v, 1e-6, java.util.Arrays.toString(s) + " pixel " + d);
                assertEquals(1.0, weights, 1e-12, "weights of an output pixel sum to 1");
            }
        }
    }

    @Test
    void peakInsideTheMaskIsAHitWithFullEnergyAndIou() {
        Localization.Score s = Localization.score(new float[] {0, 0, 0, 4}, 2, 2, new boolean[] {F, F, F, T}, 2, 2);
        assertTrue(s.hit());
        assertEquals(1.0, s.energy(), 1e-9);
        assertEquals(1.0, s.iou(), 1e-9);
    }

    @Test
    void peakOutsideTheMaskIsAMiss() {
        Localization.Score s = Localization.score(new float[] {0, 0, 0, 4}, 2, 2, new boolean[] {T, F, F, F}, 2, 2);
        assertFalse(s.hit());
        assertEquals(0.0, s.energy(), 1e-9);
        assertEquals(0.0, s.iou(), 1e-9);
    }

    @Test
    void energyAndIouMatchHandComputedValues() {
        // Φ = [0, 0.55, 0.25, 1]; mask {1, 2}; energy = 0.8 / 1.8; thresholded {1, 3}: IoU = |{1}| / |{1, 2, 3}|.
        Localization.Score s = Localization.score(new float[] {1, 3.2f, 2, 5}, 2, 2, new boolean[] {F, T, T, F}, 2, 2);
        assertFalse(s.hit());
        assertEquals(0.8 / 1.8, s.energy(), 1e-6);
        assertEquals(1.0 / 3.0, s.iou(), 1e-9);
    }

    @Test
    void tiesGoToTheFirstMaximumInRowMajorOrder() {
        float[] map = {5, 5, 0, 0};
        assertFalse(
                Localization.score(map, 2, 2, new boolean[] {F, T, F, F}, 2, 2).hit());
        assertTrue(
                Localization.score(map, 2, 2, new boolean[] {T, F, F, F}, 2, 2).hit());
    }

    @Test
    void flatOrNonFiniteMapsCountAsMissesWithZeroScores() {
        boolean[] all = {T, T, T, T};
        assertEquals(Localization.Score.NONE, Localization.score(new float[] {2, 2, 2, 2}, 2, 2, all, 2, 2));
        assertEquals(Localization.Score.NONE, Localization.score(new float[] {0, 0, 0, 0}, 2, 2, all, 2, 2));
        assertEquals(Localization.Score.NONE, Localization.score(new float[] {0, Float.NaN, 1, 0}, 2, 2, all, 2, 2));
        assertEquals(
                Localization.Score.NONE,
                Localization.score(new float[] {0, Float.POSITIVE_INFINITY, 1, 0}, 2, 2, all, 2, 2));
    }

    @Test
    void mapsAreUpsampledToTheMaskResolution() {
        // A 2x2 map peaking bottom-right, scored against an 8x8 mask of the bottom-right quadrant.
        boolean[] mask = new boolean[64];
        for (int y = 4; y < 8; y++) {
            for (int x = 4; x < 8; x++) {
                mask[y * 8 + x] = true;
            }
        }
        Localization.Score s = Localization.score(new float[] {0, 0, 0, 1}, 2, 2, mask, 8, 8);
        assertTrue(s.hit());
        float[] up = Bilinear.resize(new float[] {0, 0, 0, 1}, 2, 2, 8, 8);
        double inside = 0;
        double total = 0;
        int on = 0;
        int both = 0;
        for (int i = 0; i < 64; i++) {
            double phi = up[i] / (1 + Localization.EPS);
            total += phi;
            inside += mask[i] ? phi : 0;
            on += phi >= 0.5 ? 1 : 0;
            both += phi >= 0.5 && mask[i] ? 1 : 0;
        }
        assertEquals(inside / total, s.energy(), 1e-6);
        assertEquals((double) both / (16 + on - both), s.iou(), 1e-9);
        assertTrue(s.energy() > 0.5 && s.iou() > 0.5, s.toString());
    }

    @Test
    void accumulatorAveragesCaamAndCamSeparately() {
        LocalizationAccumulator acc = new LocalizationAccumulator();
        // Image 0: mask = pixel 3. Image 1: mask = pixel 0.
        boolean[] masks = {F, F, F, T, T, F, F, F};
        var caam = Nd4j.createFromArray(new float[] {0, 0, 0, 4, 0, 0, 0, 4}).reshape(2, 2, 2); // hit, miss
        var cam = Nd4j.createFromArray(new float[] {0, 0, 0, 4, 4, 0, 0, 0}).reshape(2, 2, 2); // hit, hit
        acc.add(caam, cam, masks, 2, 2);
        acc.add(new float[] {1, 1, 1, 1}, new float[] {0, 0, 0, 1}, 1, 2, 2, new boolean[] {F, F, F, T}, 2, 2);
        LocalizationSummary s = acc.summary();
        assertEquals(3, s.count());
        assertEquals(3, acc.count());
        assertEquals(new LocalizationSummary.Metrics(1.0 / 3, 1.0 / 3, 1.0 / 3), s.caam());
        assertEquals(new LocalizationSummary.Metrics(1.0, 1.0, 1.0), s.cam());
        assertEquals(
                List.of("count", "caam_pointing", "caam_energy", "caam_iou", "cam_pointing", "cam_energy", "cam_iou"),
                List.copyOf(s.toMap().keySet()));
        assertEquals(1.0, s.toMap().get("cam_iou"));
    }

    @Test
    void accumulatorAcceptsDoubleArraysAndViews() {
        LocalizationAccumulator acc = new LocalizationAccumulator();
        var big = Nd4j.createFromArray(new double[] {9, 9, 9, 9, 0, 0, 0, 4}).reshape(2, 2, 2);
        var view = big.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2),
                org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        acc.add(view, view, new boolean[] {F, F, F, T}, 2, 2);
        assertEquals(1.0, acc.summary().caam().pointing());
    }

    @Test
    void emptyAccumulatorGivesNaN() {
        LocalizationSummary s = new LocalizationAccumulator().summary();
        assertEquals(0, s.count());
        assertTrue(Double.isNaN(s.caam().pointing()) && Double.isNaN(s.cam().iou()));
    }

    @Test
    void mismatchedShapesAreRejectedWithTheShapes() {
        LocalizationAccumulator acc = new LocalizationAccumulator();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> acc.add(Nd4j.zeros(2, 2, 2), Nd4j.zeros(2, 3, 3), new boolean[8], 2, 2));
        assertEquals("localization: caam and cam shapes differ: [2, 2, 2] vs [2, 3, 3]", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> acc.add(new float[8], new float[8], 2, 2, 2, new boolean[7], 2, 2));
        assertEquals("localization: masks must hold N*height*width = 8 values, found 7", e.getMessage());
    }
}
