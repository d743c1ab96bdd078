package org.camloss.datasets;

import java.util.Objects;
import java.util.stream.IntStream;
import org.camloss.api.data.DataSplit;

/**
 * One split (train or test) of the {@code shapes} dataset: normalised images, labels and target masks, plus the
 * raw RGB image in [0, 1] for pictures ({@link #displayImage(int)}).
 *
 * <p>Example {@code i} is rendered from a seed derived from the split's seed and {@code i} alone, so it is the
 * same whatever order examples are generated or read in. Splits up to {@value #EAGER_LIMIT_BYTES} bytes of pixels
 * are rendered once, in parallel, and kept as 8-bit pixels; larger ones are rendered again on every access
 * (identical results, no memory). Immutable and safe to read from several threads.
 */
public final class ShapesSplit implements DataSplit {
    /** Largest pixel storage (bytes) kept in memory; larger splits are rendered on demand. */
    public static final long EAGER_LIMIT_BYTES = 256L << 20;

    private final ShapesGenerator generator;
    private final long splitSeed;
    private final int size;
    private final int side;
    private final int pixels;
    /** 8-bit HWC pixels of every example, or null when rendered on demand. */
    private final byte[] stored;
    /** Packed target masks, {@code maskStride} bytes per example, or null when rendered on demand. */
    private final byte[] storedMasks;

    private final byte[] labels;
    private final int maskStride;
    /** Per-channel lookup from byte value to normalised value. */
    private final float[][] normalized;

    private final float[] mean;
    private final float[] std;

    private ShapesSplit(
            ShapesGenerator generator,
            long splitSeed,
            int size,
            byte[] stored,
            byte[] storedMasks,
            byte[] labels,
            float[] mean,
            float[] std) {
        this.generator = generator;
        this.splitSeed = splitSeed;
        this.size = size;
        this.side = generator.size();
        this.pixels = side * side;
        this.stored = stored;
        this.storedMasks = storedMasks;
        this.labels = labels;
        this.maskStride = (pixels + 7) / 8;
        this.mean = mean.clone();
        this.std = std.clone();
        this.normalized = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int b = 0; b < 256; b++) {
                normalized[c][b] = (float) ((b / 255.0 - mean[c]) / std[c]);
            }
        }
    }

    /** Renders (or prepares to render on demand) {@code size} examples; images come out un-normalised until {@link #normalizedWith}. */
    static ShapesSplit generate(ShapesGenerator generator, long splitSeed, int size) {
        long pixelBytes = (long) size * generator.size() * generator.size() * 3;
        return generate(generator, splitSeed, size, pixelBytes <= EAGER_LIMIT_BYTES);
    }

    /** As {@link #generate(ShapesGenerator, long, int)}, keeping pixels in memory or not as told. */
    static ShapesSplit generate(ShapesGenerator generator, long splitSeed, int size, boolean store) {
        int side = generator.size();
        long pixelBytes = (long) size * side * side * 3;
        float[] identityMean = {0, 0, 0};
        float[] identityStd = {1, 1, 1};
        if (!store) {
            byte[] labels = new byte[size];
            IntStream.range(0, size)
                    .parallel()
                    .forEach(i -> labels[i] = (byte) generator.label(exampleSeed(splitSeed, i)));
            return new ShapesSplit(generator, splitSeed, size, null, null, labels, identityMean, identityStd);
        }
        if (pixelBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("shapes: cannot keep " + pixelBytes + " bytes of pixels in one array");
        }
        int pixels = side * side;
        int stride = (pixels + 7) / 8;
        byte[] stored = new byte[(int) pixelBytes];
        byte[] masks = new byte[size * stride];
        byte[] labels = new byte[size];
        IntStream.range(0, size).parallel().forEach(i -> {
            boolean[] mask = new boolean[pixels];
            labels[i] = (byte) generator.render(exampleSeed(splitSeed, i), stored, i * pixels * 3, mask, 0);
            int base = i * stride;
            for (int p = 0; p < pixels; p++) {
                if (mask[p]) {
                    masks[base + (p >>> 3)] |= (byte) (1 << (p & 7));
                }
            }
        });
        return new ShapesSplit(generator, splitSeed, size, stored, masks, labels, identityMean, identityStd);
    }

    /** The same examples, normalised per channel as {@code (x − mean[c]) / std[c]} with x in [0, 1]. */
    ShapesSplit normalizedWith(float[] channelMean, float[] channelStd) {
        return new ShapesSplit(generator, splitSeed, size, stored, storedMasks, labels, channelMean, channelStd);
    }

    /** The seed of example {@code index} of the split with seed {@code splitSeed}. */
    static long exampleSeed(long splitSeed, int index) {
        return ShapesDatasetFactory.mix(splitSeed + (index + 1L) * 0x9E3779B97F4A7C15L);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int label(int index) {
        Objects.checkIndex(index, size);
        return labels[index];
    }

    @Override
    public void image(int index, float[] out, int offset) {
        byte[] raw = rawPixels(index);
        int base = stored == null ? 0 : index * pixels * 3;
        float[] r = normalized[0];
        float[] g = normalized[1];
        float[] b = normalized[2];
        for (int p = 0, o = offset, q = base; p < pixels; p++, o += 3, q += 3) {
            out[o] = r[raw[q] & 0xff];
            out[o + 1] = g[raw[q + 1] & 0xff];
            out[o + 2] = b[raw[q + 2] & 0xff];
        }
    }

    @Override
    public boolean hasMasks() {
        return true;
    }

    @Override
    public void mask(int index, boolean[] out, int offset) {
        Objects.checkIndex(index, size);
        if (storedMasks == null) {
            generator.render(exampleSeed(splitSeed, index), new byte[pixels * 3], 0, out, offset);
            return;
        }
        int base = index * maskStride;
        for (int p = 0; p < pixels; p++) {
            out[offset + p] = (storedMasks[base + (p >>> 3)] & (1 << (p & 7))) != 0;
        }
    }

    /** The un-normalised RGB image of example {@code index}: height·width·3 floats in [0, 1], channels last. */
    public float[] displayImage(int index) {
        float[] out = new float[pixels * 3];
        displayImage(index, out, 0);
        return out;
    }

    /** Writes the un-normalised RGB image of example {@code index} (values in [0, 1], HWC) into {@code out} at {@code offset}. */
    public void displayImage(int index, float[] out, int offset) {
        byte[] raw = rawPixels(index);
        int base = stored == null ? 0 : index * pixels * 3;
        for (int i = 0; i < pixels * 3; i++) {
            out[offset + i] = (raw[base + i] & 0xff) / 255f;
        }
    }

    /** Per-channel counts of each 8-bit pixel value over the first {@code n} examples: {@code [3][256]}. */
    long[][] byteHistogram(int n) {
        long[][] hist = new long[3][256];
        int len = pixels * 3;
        for (int i = 0; i < n; i++) {
            byte[] raw = rawPixels(i);
            int base = stored == null ? 0 : i * len;
            for (int q = base, end = base + len; q < end; q += 3) {
                hist[0][raw[q] & 0xff]++;
                hist[1][raw[q + 1] & 0xff]++;
                hist[2][raw[q + 2] & 0xff]++;
            }
        }
        return hist;
    }

    /** The number of target-mask pixels of example {@code index}. */
    public int maskArea(int index) {
        boolean[] m = new boolean[pixels];
        mask(index, m, 0);
        int n = 0;
        for (boolean b : m) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** Image side in pixels (images are square). */
    public int side() {
        return side;
    }

    /** Per-channel mean used for normalisation (values in [0, 1] units). */
    public float[] channelMean() {
        return mean.clone();
    }

    /** Per-channel standard deviation used for normalisation. */
    public float[] channelStd() {
        return std.clone();
    }

    /** Whether pixels are kept in memory (false: rendered on every access). */
    public boolean isStored() {
        return stored != null;
    }

    private byte[] rawPixels(int index) {
        Objects.checkIndex(index, size);
        if (stored != null) {
            return stored;
        }
        byte[] raw = new byte[pixels * 3];
        generator.render(exampleSeed(splitSeed, index), raw, 0, new boolean[pixels], 0);
        return raw;
    }
}
