package org.camloss.api;

/**
 * The shape of one input image.
 *
 * @param channels colour channels (1 for grey, 3 for RGB)
 * @param height   rows
 * @param width    columns
 */
public record InputShape(int channels, int height, int width) {
    public InputShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "input shape must be positive, found " + channels + "x" + height + "x" + width);
        }
    }

    /** {@code HxWxC}, e.g. {@code 28x28x1}. */
    @Override
    public String toString() {
        return height + "x" + width + "x" + channels;
    }
}
