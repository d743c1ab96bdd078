package org.camloss.datasets;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Image files for anything outside a dataset ({@code camloss explain --images}): decoded exactly as the
 * {@code image-folder} dataset decodes them (Pillow's values, see {@link ImageDecoder}) and resized the same way.
 */
public final class ImageFiles {
    /** The file-name endings read as images: {@code .png}, {@code .jpg}, {@code .jpeg}, any case. */
    public static final List<String> EXTENSIONS = ImageDecoder.EXTENSIONS;

    private ImageFiles() {}

    /**
     * An image as read and resized.
     *
     * @param originalHeight rows in the file
     * @param originalWidth  columns in the file
     * @param height         rows after resizing
     * @param width          columns after resizing
     * @param channels       1 (grey) or 3 (RGB)
     * @param pixels         height·width·channels unsigned bytes, row-major, channels last
     */
    public record Image(int originalHeight, int originalWidth, int height, int width, int channels, byte[] pixels) {}

    /** Whether {@code name} ends in one of the {@link #EXTENSIONS} (case-insensitive). */
    public static boolean isImageName(String name) {
        return ImageDecoder.isImageName(name);
    }

    /**
     * Decodes {@code file} to {@code channels} channels and resizes it bilinearly to height × width (the aspect
     * ratio is not kept; an image already of that size is used as is).
     *
     * @throws org.camloss.api.UserException naming the file when it is not a PNG or JPEG or cannot be decoded
     */
    public static Image read(Path file, int height, int width, int channels) {
        ImageDecoder.Decoded d = ImageDecoder.decode(file, channels);
        byte[] out = new byte[height * width * channels];
        resize(d, height, width, out, 0);
        return new Image(d.height(), d.width(), height, width, channels, out);
    }

    /**
     * Decodes {@code file} as a grey mask at its own size: a pixel is inside when its grey value is not zero.
     *
     * @return [height, width] of the file, then the row-major mask
     * @throws org.camloss.api.UserException naming the file when it cannot be decoded
     */
    public static Mask readMask(Path file) {
        ImageDecoder.Decoded d = ImageDecoder.decode(file, 1);
        boolean[] inside = new boolean[d.height() * d.width()];
        byte[] s = d.samples();
        for (int i = 0; i < inside.length; i++) {
            inside[i] = s[i] != 0;
        }
        return new Mask(d.height(), d.width(), inside);
    }

    /**
     * A binary mask.
     *
     * @param height rows
     * @param width  columns
     * @param inside height·width values, row-major
     */
    public record Mask(int height, int width, boolean[] inside) {}

    /** Writes {@code image} resized (bilinear, Java2D) to height × width into {@code out} at {@code at}. */
    static void resize(ImageDecoder.Decoded image, int height, int width, byte[] out, int at) {
        int c = image.channels();
        byte[] s = image.samples();
        if (image.width() == width && image.height() == height) {
            System.arraycopy(s, 0, out, at, height * width * c);
            return;
        }
        // through packed RGB, where Java2D scales without any colour conversion (grey rides in all three channels)
        BufferedImage src = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        int[] packed = new int[image.width() * image.height()];
        for (int i = 0; i < packed.length; i++) {
            int r = s[i * c] & 0xFF;
            int g = c == 3 ? s[i * c + 1] & 0xFF : r;
            int b = c == 3 ? s[i * c + 2] & 0xFF : r;
            packed[i] = (r << 16) | (g << 8) | b;
        }
        src.setRGB(0, 0, image.width(), image.height(), packed, 0, image.width());
        BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, width, height, null);
        g.dispose();
        int[] result = scaled.getRGB(0, 0, width, height, null, 0, width);
        for (int i = 0; i < result.length; i++) {
            int v = result[i];
            if (c == 3) {
                out[at + 3 * i] = (byte) (v >> 16);
                out[at + 3 * i + 1] = (byte) (v >> 8);
                out[at + 3 * i + 2] = (byte) v;
            } else {
                out[at + i] = (byte) (v >> 16);
            }
        }
    }
}
