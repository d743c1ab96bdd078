package org.camloss.datasets;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.camloss.api.UserException;

/**
 * Decodes PNG and JPEG files to 8-bit RGB or grey samples with the values Pillow's
 * {@code Image.open(f).convert("RGB")} and {@code .convert("L")} give — torchvision's default image loader — so that
 * a folder of images trains on the same numbers here as in a PyTorch pipeline.
 *
 * <ul>
 *   <li>The format is told by the file's first bytes, not its name.</li>
 *   <li>Grey (1, 2, 4, 8 bits), palette (1–8 bits) and RGB are read as stored; grey becomes R = G = B.</li>
 *   <li><b>Alpha</b> (grey + alpha, RGBA, a tRNS chunk) is dropped: the colour values are kept as stored, not
 *       blended over any background (Pillow's {@code convert} does the same).</li>
 *   <li><b>16-bit</b> samples keep their high byte ({@code v >> 8}), as Pillow does for 16-bit grey + alpha, RGB and
 *       RGBA. For 16-bit greyscale Pillow's {@code convert} clips every value above 255 to 255 instead, which
 *       loses the image; there the high byte is taken too.</li>
 *   <li><b>CMYK and YCCK JPEGs</b> (Adobe's inverted convention included) are converted with Pillow's formula,
 *       R = (255 − K) − C·(255 − K)/255 (rounded as Pillow rounds), and likewise G from M and B from Y. An
 *       embedded colour profile is not applied, here or in Pillow.</li>
 *   <li>Grey from colour: L = (19595·R + 38470·G + 7471·B + 32768) >> 16 (Pillow's ITU-R 601-2 luma).</li>
 *   <li><b>EXIF orientation</b> is not applied: pixels are used in the order they are stored, as with Pillow's
 *       {@code open}/{@code convert} (torchvision does not call {@code ImageOps.exif_transpose} either). Rotate such
 *       files beforehand if their orientation tag matters.</li>
 *   <li>Embedded colour profiles and PNG gamma are ignored (samples as stored).</li>
 * </ul>
 *
 * <p>The JDK's own PNG and JPEG readers decode (they are chosen explicitly, so an ImageIO plugin on the class path
 * cannot change the values); they give the stored samples for every colour type above, and this class does the
 * conversions, because the JDK's own conversions differ from Pillow's: it treats greyscale as linear light (grey 197
 * becomes 228 through {@code getRGB}) and converts CMYK through a generic print profile. A file that cannot be
 * decoded, or that the JPEG reader reports as truncated (where it would fill the missing part with grey; Pillow
 * refuses such a file too), is a {@link UserException} naming it; the reader's other warnings (extraneous bytes
 * between markers, an invalid colour profile ignored) are ignored, as by Pillow.
 */
final class ImageDecoder {
    /** The file-name endings read as images (lower case; names are compared case-insensitively). */
    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private ImageDecoder() {}

    /**
     * Decoded samples, row-major, channels last.
     *
     * @param width    W
     * @param height   H
     * @param channels 1 (grey) or 3 (RGB)
     * @param samples  H·W·channels unsigned bytes
     */
    record Decoded(int width, int height, int channels, byte[] samples) {}

    /** Whether {@code name} ends in one of the {@link #EXTENSIONS}. */
    static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /**
     * Decodes {@code file} to {@code channels} channels (3: RGB, 1: grey).
     *
     * @throws UserException naming the file when it is not a PNG or JPEG, or cannot be decoded
     */
    static Decoded decode(Path file, int channels) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        String format = format(bytes);
        if (format == null) {
            throw new UserException(file + ": not a PNG or JPEG file (it starts with " + head(bytes)
                    + "); camloss reads PNG and JPEG images only");
        }
        BufferedImage image = read(file, bytes, format);
        return convert(file, image, channels);
    }

    private static String format(byte[] b) {
        if (b.length >= 8
                && (b[0] & 0xFF) == 0x89
                && b[1] == 'P'
                && b[2] == 'N'
                && b[3] == 'G'
                && b[4] == '\r'
                && b[5] == '\n'
                && b[6] == 0x1A
                && b[7] == '\n') {
            return "png";
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return "jpeg";
        }
        return null;
    }

    private static String head(byte[] b) {
        if (b.length == 0) {
            return "nothing: the file is empty";
        }
        StringBuilder s = new StringBuilder("bytes");
        for (int i = 0; i < Math.min(4, b.length); i++) {
            s.append(String.format(" %02X", b[i] & 0xFF));
        }
        return s.toString();
    }

    /** The JDK's reader for {@code format}: its decoded samples are what {@link #convert} expects. */
    private static ImageReader reader(String format) {
        ImageReader any = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith("com.sun.imageio.plugins.")) {
                return r;
            }
            if (any == null) {
                any = r;
            }
        }
        if (any == null) {
            throw new IllegalStateException("this Java runtime has no " + format + " image reader");
        }
        return any;
    }

    private static BufferedImage read(Path file, byte[] bytes, String format) {
        ImageReader reader = reader(format);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener(new IIOReadWarningListener() {
            @Override
            public void warningOccurred(ImageReader source, String warning) {
                warnings.add(warning);
            }
        });
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            BufferedImage image = reader.read(0);
            for (String warning : warnings) {
                String w = warning.toLowerCase(Locale.ROOT);
                if (w.contains("premature end") || w.contains("truncated")) {
                    throw new UserException(file + ": truncated " + name(format) + " (" + warning + ")");
                }
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserException u) {
                throw u;
            }
            // the JDK's decoders report corrupt data as IIOException and, for some defects, as runtime exceptions
            throw new UserException(file + ": unreadable " + name(format) + " (" + e.getMessage() + ")");
        } finally {
            reader.dispose();
        }
    }

    private static String name(String format) {
        return format.equals("png") ? "PNG image" : "JPEG image";
    }

    /** The stored samples as Pillow's conversions give them. */
    static Decoded convert(Path file, BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster r = image.getRaster();
        ColorModel cm = image.getColorModel();
        byte[] rgb = new byte[w * h * 3];
        int[] row = new int[w];
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int at = (y * w + x) * 3;
                    rgb[at] = (byte) icm.getRed(row[x]);
                    rgb[at + 1] = (byte) icm.getGreen(row[x]);
                    rgb[at + 2] = (byte) icm.getBlue(row[x]);
                }
            }
        } else if (cm instanceof ComponentColorModel) {
            int colours = cm.getNumColorComponents();
            int space = cm.getColorSpace().getType();
            int shift = cm.getComponentSize(0) - 8;
            if (shift != 0 && shift != 8) {
                throw new UserException(file + ": " + cm.getComponentSize(0) + "-bit samples are not supported "
                        + "(8 and 16 bits are)");
            }
            if (colours == 1) {
                for (int y = 0; y < h; y++) {
                    r.getSamples(0, y, w, 1, 0, row);
                    for (int x = 0; x < w; x++) {
                        byte g = (byte) (row[x] >> shift);
                        int at = (y * w + x) * 3;
                        rgb[at] = g;
                        rgb[at + 1] = g;
                        rgb[at + 2] = g;
                    }
                }
            } else if (colours == 3 && space == ColorSpace.TYPE_RGB) {
                for (int band = 0; band < 3; band++) {
                    for (int y = 0; y < h; y++) {
                        r.getSamples(0, y, w, 1, band, row);
                        for (int x = 0; x < w; x++) {
                            rgb[(y * w + x) * 3 + band] = (byte) (row[x] >> shift);
                        }
                    }
                }
            } else if (colours == 4 && space == ColorSpace.TYPE_CMYK) {
                int[] k = new int[w];
                for (int y = 0; y < h; y++) {
                    r.getSamples(0, y, w, 1, 3, k);
                    for (int band = 0; band < 3; band++) {
                        r.getSamples(0, y, w, 1, band, row);
                        for (int x = 0; x < w; x++) {
                            rgb[(y * w + x) * 3 + band] = (byte) cmykToRgb(row[x] >> shift, k[x] >> shift);
                        }
                    }
                }
            } else {
                throw new UserException(
                        file + ": unsupported colour space (" + colours + " components, ImageIO colour space type "
                                + space + "); grey, RGB, palette and CMYK images are read");
            }
        } else {
            throw new UserException(
                    file + ": unsupported colour model " + cm.getClass().getSimpleName());
        }
        if (channels == 3) {
            return new Decoded(w, h, 3, rgb);
        }
        byte[] grey = new byte[w * h];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (byte) luma(rgb[3 * i] & 0xFF, rgb[3 * i + 1] & 0xFF, rgb[3 * i + 2] & 0xFF);
        }
        return new Decoded(w, h, 1, grey);
    }

    /** Pillow's CMYK to RGB for one channel: (255 − K) − C·(255 − K)/255, rounded as its MULDIV255. */
    static int cmykToRgb(int c, int k) {
        int nk = 255 - k;
        int t = c * nk + 128;
        return Math.max(0, Math.min(255, nk - (((t >> 8) + t) >> 8)));
    }

    /** Pillow's luma, L = (19595·R + 38470·G + 7471·B + 0x8000) >> 16. */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
}
