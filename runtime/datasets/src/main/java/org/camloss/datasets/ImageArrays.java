package org.camloss.datasets;

import java.util.Arrays;

/**
 * Images as unsigned bytes in height × width × channel order, with their labels: the in-memory form of
 * every file-backed dataset (one byte a pixel value, so memory is what the data needs).
 *
 * @param pixels   n · h · w · c bytes, row-major, channels last
 * @param labels   n labels
 * @param height   h
 * @param width    w
 * @param channels c
 */
public record ImageArrays(byte[] pixels, int[] labels, int height, int width, int channels) {
    public ImageArrays {
        if ((long) labels.length * height * width * channels != pixels.length) {
            throw new IllegalArgumentException(
                    "pixels do not match " + labels.length + " images of " + height + "x" + width + "x" + channels);
        }
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Bytes per image. */
    public int imageBytes() {
        return height * width * channels;
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive). */
    public ImageArrays slice(int from, int to) {
        int per = imageBytes();
        return new ImageArrays(
                Arrays.copyOfRange(pixels, from * per, to * per),
                Arrays.copyOfRange(labels, from, to),
                height,
                width,
                channels);
    }
}
