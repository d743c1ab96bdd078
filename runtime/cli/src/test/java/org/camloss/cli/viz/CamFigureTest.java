package org.camloss.cli.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class CamFigureTest {
    private static final int S = 16;
    private static final int M = 4;

    @TempDir
    Path dir;

    /** A grey image with a red square in the top-left quarter. */
    private static float[] image() {
        float[] rgb = new float[S * S * 3];
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                int p = (y * S + x) * 3;
                boolean red = x < S / 2 && y < S / 2;
                rgb[p] = red ? 1f : 0.5f;
                rgb[p + 1] = red ? 0f : 0.5f;
                rgb[p + 2] = red ? 0f : 0.5f;
            }
        }
        return rgb;
    }

    /** An M×M map with its peak at (py, px), falling off linearly. */
    private static float[] peak(int py, int px) {
        float[] m = new float[M * M];
        for (int y = 0; y < M; y++) {
            for (int x = 0; x < M; x++) {
                m[y * M + x] = 10f - Math.abs(y - py) - Math.abs(x - px);
            }
        }
        return m;
    }

    private static CamFigure figure() {
        return CamFigure.builder()
                .title("test figure")
                .cellSize(64)
                .addModel("cross-entropy")
                .addModel("cam-loss")
                .addRow(
                        image(),
                        S,
                        S,
                        "true: square",
                        List.of(
                                new CamFigure.ModelMaps(peak(3, 3), peak(0, 3), M, M, "circle"),
                                new CamFigure.ModelMaps(peak(0, 0), peak(0, 0), M, M, "square")))
                .addRow(
                        image(),
                        S,
                        S,
                        "true: square",
                        List.of(
                                CamFigure.ModelMaps.of(
                                        Nd4j.createFromArray(peak(1, 1)).reshape(M, M),
                                        Nd4j.createFromArray(peak(2, 2)).reshape(M, M),
                                        "square"),
                                new CamFigure.ModelMaps(new float[M * M], new float[M * M], M, M, "ring")))
                .build();
    }

    @Test
    void writesAPngWithTheDeclaredLayout() throws IOException {
        CamFigure fig = figure();
        Path png = dir.resolve("sub/cams.png");
        fig.write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(fig.width(), img.getWidth());
        assertEquals(fig.height(), img.getHeight());
        assertEquals(2, fig.rows());
        assertEquals(5, fig.columns());
        try (Stream<Path> files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void heatmapCellsAreNotUniformAndPointAtThePeak() throws IOException {
        CamFigure fig = figure();
        Path png = dir.resolve("cams.png");
        fig.write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        for (int col = 1; col < 5; col++) {
            Rectangle c = fig.cell(0, col);
            assertTrue(spread(img, c) > 20, "cell (0, " + col + ") looks uniform");
        }
        // Model 1's CAAM peaks top-left: red there, blue at the opposite corner.
        Rectangle c = fig.cell(0, 3);
        int topLeft = img.getRGB(c.x + 2, c.y + 2);
        int bottomRight = img.getRGB(c.x + c.width - 3, c.y + c.height - 3);
        assertTrue(red(topLeft) > blue(topLeft) + 60, Integer.toHexString(topLeft));
        assertTrue(blue(bottomRight) > red(bottomRight) + 60, Integer.toHexString(bottomRight));
        // The image column shows the image, enlarged with nearest-neighbour sampling.
        Rectangle image = fig.cell(1, 0);
        assertEquals(0xff0000, img.getRGB(image.x + 5, image.y + 5) & 0xffffff);
        assertEquals(0x808080, img.getRGB(image.x + image.width - 5, image.y + image.height - 5) & 0xffffff);
    }

    @Test
    void overwritesAnExistingFileAndDrawsWithoutText() throws IOException {
        Path png = dir.resolve("cams.png");
        Files.writeString(png, "not a png");
        CamFigure bare = CamFigure.builder()
                .text(false)
                .addModel("m")
                .addRow(image(), S, S, "x", List.of(new CamFigure.ModelMaps(peak(0, 0), peak(3, 3), M, M, "y")))
                .build();
        bare.write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(bare.width(), img.getWidth());
    }

    @Test
    void rowsMustHaveMapsForEveryModel() {
        CamFigure.Builder b = CamFigure.builder()
                .addModel("a")
                .addModel("b")
                .addRow(image(), S, S, "x", List.of(new CamFigure.ModelMaps(peak(0, 0), peak(0, 0), M, M, "y")));
        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertEquals("row 0 has maps for 1 models, expected 2 [a, b]", e.getMessage());
        IllegalArgumentException e2 = assertThrows(
                IllegalArgumentException.class, () -> new CamFigure.ModelMaps(new float[3], new float[4], 2, 2, "y"));
        assertEquals("maps must hold height*width = 4 values, found caam 3 and cam 4", e2.getMessage());
        IllegalArgumentException e3 = assertThrows(
                IllegalArgumentException.class, () -> CamFigure.builder().addRow(new float[5], 2, 2, "x", List.of()));
        assertEquals("row 0: image must hold height*width*3 = 12 values, found 5", e3.getMessage());
    }

    /** Sum over R, G, B of the standard deviation of the channel inside the rectangle. */
    private static double spread(BufferedImage img, Rectangle r) {
        double total = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            double sum = 0;
            double sumSq = 0;
            int n = 0;
            for (int y = r.y; y < r.y + r.height; y++) {
                for (int x = r.x; x < r.x + r.width; x++) {
                    int v = (img.getRGB(x, y) >> shift) & 0xff;
                    sum += v;
                    sumSq += (double) v * v;
                    n++;
                }
            }
            total += Math.sqrt(Math.max(0, sumSq / n - (sum / n) * (sum / n)));
        }
        return total;
    }

    private static int red(int rgb) {
        return (rgb >> 16) & 0xff;
    }

    private static int blue(int rgb) {
        return rgb & 0xff;
    }
}
