package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.camloss.api.InputShape;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.TargetEffect;
import org.camloss.api.data.Batch;
import org.camloss.testkit.RegularizerContract;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code cutout}: the contract, the exact patch, the rate and the size check. */
class CutoutContractTest extends RegularizerContract {
    @Override
    protected RegularizerFactory factory() {
        return new CutoutFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("size", 6);
    }

    private static Regularizer cutout(int size, double probability) {
        CutoutFactory f = new CutoutFactory();
        return f.create(Params.resolve(f.params(), Map.of("size", size, "probability", probability)));
    }

    /**
     * On all-ones 20×24×3 images, each image's zeroed pixels are exactly one rectangle, zero in every channel: size ×
     * size where the patch lies inside the image, cut to the image where it crosses the border (its far side still at
     * size − ⌊size/2⌋ − 1 from the centre), and everything else untouched; the targets stay as they were.
     */
    @Test
    void zeroesExactlyTheStatedPatch() {
        int n = 400;
        int h = 20;
        int w = 24;
        for (int size : new int[] {6, 7}) {
            INDArray x = Nd4j.ones(DataType.FLOAT, n, h, w, 3);
            INDArray q = Nd4j.eye(n).castTo(DataType.FLOAT);
            Batch out = cutout(size, 1.0).apply(new Batch(x, q.dup()), new Random(size));
            assertEquals(q, out.targets(), "targets changed");
            int inside = 0;
            int crossing = 0;
            for (int i = 0; i < n; i++) {
                float[] v = out.features().slice(i).dup().data().asFloat();
                int y1 = h;
                int y2 = -1;
                int x1 = w;
                int x2 = -1;
                for (int y = 0; y < h; y++) {
                    for (int c = 0; c < w; c++) {
                        float first = v[(y * w + c) * 3];
                        for (int ch = 1; ch < 3; ch++) {
                            assertEquals(first, v[(y * w + c) * 3 + ch], "image " + i + ": channels differ");
                        }
                        if (first == 0) {
                            y1 = Math.min(y1, y);
                            y2 = Math.max(y2, y);
                            x1 = Math.min(x1, c);
                            x2 = Math.max(x2, c);
                        } else {
                            assertEquals(1f, first, "image " + i + ": a pixel changed to something other than 0");
                        }
                    }
                }
                assertTrue(y2 >= 0, "image " + i + " has no patch");
                for (int y = y1; y <= y2; y++) {
                    for (int c = x1; c <= x2; c++) {
                        assertEquals(0f, v[(y * w + c) * 3], "image " + i + ": the zeroed pixels are not a rectangle");
                    }
                }
                int rows = y2 - y1 + 1;
                int cols = x2 - x1 + 1;
                boolean atBorder = y1 == 0 || x1 == 0 || y2 == h - 1 || x2 == w - 1;
                if (!atBorder) {
                    inside++;
                    assertEquals(size, rows, "image " + i + ": patch height");
                    assertEquals(size, cols, "image " + i + ": patch width");
                } else {
                    crossing += rows < size || cols < size ? 1 : 0;
                    assertTrue(rows <= size && cols <= size, "image " + i + ": patch larger than " + size);
                }
            }
            assertTrue(inside > 50 && crossing > 50, "inside " + inside + ", crossing the border " + crossing);
        }
    }

    /** With probability 0.3, about 30 % of 4000 images get a patch (4 standard errors). */
    @Test
    void patchesAboutProbabilityOfTheImages() {
        int n = 4000;
        Batch out = cutout(4, 0.3)
                .apply(
                        new Batch(Nd4j.ones(DataType.FLOAT, n, 8, 8, 1), Nd4j.ones(DataType.FLOAT, n, 1)),
                        new Random(3));
        int patched = 0;
        for (int i = 0; i < n; i++) {
            patched += out.features().slice(i).minNumber().doubleValue() == 0 ? 1 : 0;
        }
        assertEquals(0.3, patched / (double) n, 4 * Math.sqrt(0.3 * 0.7 / n));
    }

    @Test
    void refusesAPatchLargerThanTheImage() {
        Regularizer r = cutout(29, 1.0);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> r.check(new InputShape(1, 28, 28)));
        assertEquals("size: the patch must fit the 28x28 images (at most 28), found 29", e.getMessage());
        cutout(28, 1.0).check(new InputShape(1, 28, 28));
    }

    @Test
    void keepsTheTargets() {
        assertEquals(TargetEffect.KEEPS, cutout(4, 1).targetEffect());
    }
}
