package org.camloss.runtime.train;

import java.util.Random;
import org.camloss.api.InputShape;
import org.camloss.api.data.Augmentation;
import org.camloss.api.data.DataSplit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Cuts a {@link DataSplit} into NHWC image batches with one-hot targets. */
public final class Batches {
    private final DataSplit split;
    private final InputShape shape;
    private final int classes;
    private final int batchSize;

    public Batches(DataSplit split, InputShape shape, int classes, int batchSize) {
        this.split = split;
        this.shape = shape;
        this.classes = classes;
        this.batchSize = batchSize;
    }

    /** Number of batches (the last one may be smaller). */
    public int count() {
        return (split.size() + batchSize - 1) / batchSize;
    }

    /** The identity order. */
    public int[] inOrder() {
        int[] order = new int[split.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return order;
    }

    /** A permutation for {@code epoch}, fixed by {@code seed}. */
    public int[] shuffled(long seed, int epoch) {
        int[] order = inOrder();
        Random rng = new Random(seed * 1_000_003L + epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Example indices of batch {@code b} under {@code order}. */
    public int[] indices(int[] order, int b) {
        int from = b * batchSize;
        int to = Math.min(order.length, from + batchSize);
        int[] idx = new int[to - from];
        System.arraycopy(order, from, idx, 0, idx.length);
        return idx;
    }

    /** Images [n, H, W, C] of the given examples. */
    public INDArray images(int[] idx) {
        return toArray(pixels(idx), idx.length);
    }

    /** The given examples' images as n·H·W·C floats (safe to call from a loader thread). */
    public float[] pixels(int[] idx) {
        int per = shape.height() * shape.width() * shape.channels();
        float[] buf = new float[idx.length * per];
        for (int i = 0; i < idx.length; i++) {
            split.image(idx[i], buf, i * per);
        }
        return buf;
    }

    /** Wraps n images of floats as [n, H, W, C]. */
    public INDArray toArray(float[] pixels, int n) {
        return Nd4j.create(pixels, new long[] {n, shape.height(), shape.width(), shape.channels()}, 'c');
    }

    /**
     * Augments n images in place: a random crop after padding with zeros (the mean colour, since images are
     * normalised), then a random horizontal flip, drawing from {@code rng} in a fixed order.
     */
    public void augment(float[] pixels, int n, Augmentation aug, Random rng) {
        if (aug.isNone()) {
            return;
        }
        int h = shape.height();
        int w = shape.width();
        int c = shape.channels();
        int per = h * w * c;
        float[] tmp = new float[per];
        for (int i = 0; i < n; i++) {
            int base = i * per;
            int dy = 0;
            int dx = 0;
            if (aug.cropPadding() > 0) {
                int p = aug.cropPadding();
                dy = rng.nextInt(2 * p + 1) - p;
                dx = rng.nextInt(2 * p + 1) - p;
            }
            boolean flip = aug.horizontalFlip() && rng.nextBoolean();
            if (dy == 0 && dx == 0 && !flip) {
                continue;
            }
            for (int r = 0; r < h; r++) {
                int sr = r + dy;
                for (int col = 0; col < w; col++) {
                    int sc = (flip ? w - 1 - col : col) + dx;
                    int to = (r * w + col) * c;
                    if (sr < 0 || sr >= h || sc < 0 || sc >= w) {
                        for (int k = 0; k < c; k++) {
                            tmp[to + k] = 0f;
                        }
                    } else {
                        System.arraycopy(pixels, base + (sr * w + sc) * c, tmp, to, c);
                    }
                }
            }
            System.arraycopy(tmp, 0, pixels, base, per);
        }
    }

    /** One-hot targets [n, K]. */
    public INDArray targets(int[] idx) {
        INDArray t = Nd4j.zeros(DataType.FLOAT, idx.length, classes);
        for (int i = 0; i < idx.length; i++) {
            t.putScalar(i, split.label(idx[i]), 1.0);
        }
        return t;
    }

    /** Labels of the given examples. */
    public int[] labels(int[] idx) {
        int[] l = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = split.label(idx[i]);
        }
        return l;
    }

    /** Target masks [n][H·W] of the given examples (the split must have masks). */
    public boolean[][] masks(int[] idx) {
        int per = shape.height() * shape.width();
        boolean[][] m = new boolean[idx.length][per];
        for (int i = 0; i < idx.length; i++) {
            split.mask(idx[i], m[i], 0);
        }
        return m;
    }
}
