package org.camloss.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Random;
import org.camloss.api.InputShape;
import org.camloss.api.data.Augmentation;
import org.camloss.api.data.DataSplit;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    private static final InputShape SHAPE = new InputShape(2, 3, 4);

    private static Batches batches() {
        DataSplit split = new DataSplit() {
            public int size() {
                return 1;
            }

            public int label(int index) {
                return 0;
            }

            public void image(int index, float[] out, int offset) {
                for (int i = 0; i < 24; i++) {
                    out[offset + i] = i + 1;
                }
            }
        };
        return new Batches(split, SHAPE, 2, 1);
    }

    private static float at(float[] px, int r, int c, int k) {
        return px[(r * 4 + c) * 2 + k];
    }

    @Test
    void flipMirrorsColumns() {
        Batches b = batches();
        float[] px = b.pixels(new int[] {0});
        float[] orig = px.clone();
        // find a seed whose first boolean is true
        Random rng = new Random(1);
        while (!new Random(rng.nextLong()).nextBoolean()) {
            rng = new Random(rng.nextLong());
        }
        long seed = 3;
        while (!new Random(seed).nextBoolean()) {
            seed++;
        }
        b.augment(px, 1, new Augmentation(0, true), new Random(seed));
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                for (int k = 0; k < 2; k++) {
                    assertEquals(at(orig, r, 3 - c, k), at(px, r, c, k));
                }
            }
        }
    }

    @Test
    void cropShiftsAndPadsWithZeros() {
        Batches b = batches();
        float[] orig = b.pixels(new int[] {0});
        for (long seed = 0; seed < 20; seed++) {
            float[] px = orig.clone();
            Random probe = new Random(seed);
            int dy = probe.nextInt(3) - 1;
            int dx = probe.nextInt(3) - 1;
            b.augment(px, 1, new Augmentation(1, false), new Random(seed));
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    int sr = r + dy;
                    int sc = c + dx;
                    float expected = sr < 0 || sr >= 3 || sc < 0 || sc >= 4 ? 0f : at(orig, sr, sc, 1);
                    assertEquals(expected, at(px, r, c, 1), "seed " + seed);
                }
            }
        }
    }

    @Test
    void sameSeedSameAugmentationAndNoneIsIdentity() {
        Batches b = batches();
        float[] a = b.pixels(new int[] {0});
        float[] c = a.clone();
        float[] orig = a.clone();
        b.augment(a, 1, new Augmentation(2, true), new Random(9));
        b.augment(c, 1, new Augmentation(2, true), new Random(9));
        assertArrayEquals(a, c);
        float[] d = orig.clone();
        b.augment(d, 1, Augmentation.NONE, new Random(9));
        assertArrayEquals(orig, d);
        boolean changed = false;
        for (long s = 0; s < 10 && !changed; s++) {
            float[] e = orig.clone();
            b.augment(e, 1, new Augmentation(2, true), new Random(s));
            changed = !Arrays.equals(e, orig);
        }
        assertFalse(!changed, "augmentation never changed the image");
    }
}
