package org.camloss.runtime.explain;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.camloss.api.cam.Bilinear;

/**
 * Class activation maps drawn over their image, the way {@code camloss demo} draws them: the raw map (at its own
 * resolution) is resized bilinearly with {@code align_corners=false} ({@link Bilinear}) straight to the size it is
 * shown at, min-max normalised there, coloured with a jet colormap (dark blue for the lowest value, dark red for the
 * highest) and blended over the image with opacity alpha; the image is enlarged with nearest-neighbour sampling, so
 * its pixels stay visible and both grids share pixel centres (output pixel d samples the image and the map at
 * (d + 0.5)·in/out − 0.5).
 */
public final class Heatmap {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Heatmap() {}

    /**
     * The image with the map overlaid (or the image alone when {@code map} is null), enlarged {@code scale} times.
     *
     * @param rgb01 height·width·3 values in [0, 1], row-major, channels last
     * @param map   mh·mw raw map values, row-major, or null
     * @param alpha opacity of the heatmap, in [0, 1]
     */
    public static BufferedImage overlay(
            float[] rgb01, int height, int width, float[] map, int mh, int mw, int scale, double alpha) {
        BufferedImage out = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        draw(out, 0, 0, width * scale, height * scale, rgb01, height, width, map, mh, mw, alpha);
        return out;
    }

    /**
     * Draws the image (and the map over it, unless {@code map} is null) into {@code out} at ({@code ox}, {@code oy}),
     * {@code dw} × {@code dh} pixels.
     */
    public static void draw(
            BufferedImage out,
            int ox,
            int oy,
            int dw,
            int dh,
            float[] rgb01,
            int height,
            int width,
            float[] map,
            int mh,
            int mw,
            double alpha) {
        float[] heat = null;
        if (map != null) {
            heat = Bilinear.resize(map, mh, mw, dh, dw);
            normalize(heat);
        }
        for (int y = 0; y < dh; y++) {
            int sy = Math.min(height - 1, (int) ((y + 0.5) * height / dh));
            for (int x = 0; x < dw; x++) {
                int sx = Math.min(width - 1, (int) ((x + 0.5) * width / dw));
                int p = (sy * width + sx) * 3;
                double r = clamp01(rgb01[p]);
                double g = clamp01(rgb01[p + 1]);
                double b = clamp01(rgb01[p + 2]);
                if (heat != null) {
                    double t = heat[y * dw + x];
                    r = (1 - alpha) * r + alpha * jetR(t);
                    g = (1 - alpha) * g + alpha * jetG(t);
                    b = (1 - alpha) * b + alpha * jetB(t);
                }
                out.setRGB(ox + x, oy + y, rgb(r, g, b));
            }
        }
    }

    /** Min-max normalisation in place; a flat (range ≤ 1e-8) or non-finite map becomes zeros. */
    public static void normalize(float[] v) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            if (!Float.isFinite(f)) {
                Arrays.fill(v, 0f);
                return;
            }
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        double range = max - min;
        for (int i = 0; i < v.length; i++) {
            v[i] = range <= 1e-8 ? 0f : (float) ((v[i] - min) / range);
        }
    }

    /** The PNG bytes of {@code image}. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer available in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static double clamp01(double v) {
        return v < 0 ? 0 : (v > 1 ? 1 : (Double.isNaN(v) ? 0 : v));
    }

    /** A packed 0xRRGGBB of r, g, b in [0, 1] (clamped; NaN as 0). */
    public static int rgb(double r, double g, double b) {
        return ((int) Math.round(clamp01(r) * 255) << 16)
                | ((int) Math.round(clamp01(g) * 255) << 8)
                | (int) Math.round(clamp01(b) * 255);
    }

    /** Red of the jet colormap at t: dark blue (0) through cyan and yellow to dark red (1). */
    public static double jetR(double t) {
        return clamp01(1.5 - Math.abs(4 * t - 3));
    }

    /** Green of the jet colormap at t. */
    public static double jetG(double t) {
        return clamp01(1.5 - Math.abs(4 * t - 2));
    }

    /** Blue of the jet colormap at t. */
    public static double jetB(double t) {
        return clamp01(1.5 - Math.abs(4 * t - 1));
    }
}
