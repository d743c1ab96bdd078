package org.camloss.cli.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.camloss.api.cam.Bilinear;
import org.camloss.runtime.explain.Heatmap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A picture comparing models' class activation maps: one row per image, with the image and, for each model, its
 * CAAM and its target CAM as heatmaps overlaid on the image, a header naming the columns and a caption under
 * every cell.
 *
 * <p>Each map is resized bilinearly ({@link Bilinear}, {@code align_corners=false}) straight to the cell size,
 * min-max normalised per map, coloured with a jet colormap and blended over the image with opacity
 * {@link Builder#alpha(double)}; the image itself is enlarged with nearest-neighbour sampling, so its pixels stay
 * visible and both grids share pixel centres. Text uses the logical font {@code SansSerif}; if the JVM cannot
 * render text (no fonts in a headless install), the figure is drawn without text and a warning is logged.
 * Loading this class sets {@code java.awt.headless=true} unless that property is already set.
 *
 * <pre>{@code
 * CamFigure.builder().title("shapes, test set")
 *     .addModel("cross-entropy").addModel("cam-loss")
 *     .addRow(rgb, 32, 32, "true: circle", List.of(ceMaps, camMaps))
 *     .build().write(Path.of("cams.png"));
 * }</pre>
 */
public final class CamFigure {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(CamFigure.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final int MARGIN = 12;
    private static final int GAP = 4;
    private static final int GROUP_GAP = 14;
    private static final int TITLE_HEIGHT = 28;
    private static final int HEADER_LINE = 18;
    private static final int LABEL_HEIGHT = 20;
    private static final int ROW_GAP = 8;
    private static final int LEGEND_HEIGHT = 34;
    private static final int LEGEND_BAR_WIDTH = 160;
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color SUBTLE = new Color(0x66, 0x66, 0x66);
    private static final String FONT = Font.SANS_SERIF;

    private final String title;
    private final List<String> models;
    private final List<Row> rows;
    private final int cellSize;
    private final double alpha;
    private final boolean text;

    private CamFigure(Builder b) {
        this.title = b.title;
        this.models = List.copyOf(b.models);
        this.rows = List.copyOf(b.rows);
        this.cellSize = b.cellSize;
        this.alpha = b.alpha;
        this.text = b.text;
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One model's maps for one image, raw (not normalised) at map resolution, row-major.
     *
     * @param caam      class-agnostic activation map, height·width values
     * @param cam       target-class activation map, height·width values
     * @param height    map rows
     * @param width     map columns
     * @param predicted the model's predicted class name, shown under its maps
     */
    public record ModelMaps(float[] caam, float[] cam, int height, int width, String predicted) {
        public ModelMaps {
            Objects.requireNonNull(caam, "caam");
            Objects.requireNonNull(cam, "cam");
            Objects.requireNonNull(predicted, "predicted");
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("map size must be positive, found " + height + "x" + width);
            }
            if (caam.length != height * width || cam.length != height * width) {
                throw new IllegalArgumentException("maps must hold height*width = " + height * width
                        + " values, found caam " + caam.length + " and cam " + cam.length);
            }
            caam = caam.clone();
            cam = cam.clone();
        }

        /** Maps from two ND4J arrays of shape [h, w] (or [1, h, w]). */
        public static ModelMaps of(INDArray caam, INDArray cam, String predicted) {
            long[] s = caam.shape();
            if (s.length < 2 || caam.length() != s[s.length - 2] * s[s.length - 1] || cam.length() != caam.length()) {
                throw new IllegalArgumentException("maps must be [h, w], found caam " + Arrays.toString(s) + " and cam "
                        + Arrays.toString(cam.shape()));
            }
            int h = (int) s[s.length - 2];
            int w = (int) s[s.length - 1];
            return new ModelMaps(flat(caam), flat(cam), h, w, predicted);
        }

        private static float[] flat(INDArray a) {
            return Nd4j.toFlattened('c', a.castTo(DataType.FLOAT)).toFloatVector();
        }
    }

    /** One image row: HWC RGB pixels in [0, 1], its caption and one {@link ModelMaps} per model. */
    private record Row(float[] rgb, int height, int width, String caption, List<ModelMaps> maps) {}

    /** Builds a {@link CamFigure}; models are columns, rows are images. Not thread-safe. */
    public static final class Builder {
        private String title = "";
        private final List<String> models = new ArrayList<>();
        private final List<Row> rows = new ArrayList<>();
        private int cellSize = 112;
        private double alpha = 0.5;
        private boolean text = true;

        private Builder() {}

        /** Title drawn above the header; empty for none. */
        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title");
            return this;
        }

        /** Adds a model, whose CAAM and target CAM become the next two columns. */
        public Builder addModel(String name) {
            models.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** Side of each square cell in pixels, 32 to 512; default 112. */
        public Builder cellSize(int pixels) {
            if (pixels < 32 || pixels > 512) {
                throw new IllegalArgumentException("cellSize must be in [32, 512], found " + pixels);
            }
            this.cellSize = pixels;
            return this;
        }

        /** Opacity of the heatmap over the image, in [0, 1]; default 0.5. */
        public Builder alpha(double alpha) {
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("alpha must be in [0, 1], found " + alpha);
            }
            this.alpha = alpha;
            return this;
        }

        /** Whether to draw titles and captions (default true); false gives the bare grid. */
        public Builder text(boolean draw) {
            this.text = draw;
            return this;
        }

        /**
         * Adds an image row.
         *
         * @param rgb01    height·width·3 values in [0, 1], row-major, channels last (RGB)
         * @param height   image rows
         * @param width    image columns
         * @param caption  shown under the image, e.g. {@code "true: circle"}
         * @param perModel one entry per model, in the order of {@link #addModel}
         */
        public Builder addRow(float[] rgb01, int height, int width, String caption, List<ModelMaps> perModel) {
            Objects.requireNonNull(rgb01, "rgb01");
            Objects.requireNonNull(caption, "caption");
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("image size must be positive, found " + height + "x" + width);
            }
            if (rgb01.length != height * width * 3) {
                throw new IllegalArgumentException("row " + rows.size() + ": image must hold height*width*3 = "
                        + height * width * 3 + " values, found " + rgb01.length);
            }
            rows.add(new Row(rgb01.clone(), height, width, caption, List.copyOf(perModel)));
            return this;
        }

        /**
         * The figure.
         *
         * @throws IllegalStateException when there is no model or no row, or a row's maps do not match the models
         */
        public CamFigure build() {
            if (models.isEmpty()) {
                throw new IllegalStateException("CamFigure needs at least one model; call addModel");
            }
            if (rows.isEmpty()) {
                throw new IllegalStateException("CamFigure needs at least one row; call addRow");
            }
            for (int r = 0; r < rows.size(); r++) {
                int given = rows.get(r).maps().size();
                if (given != models.size()) {
                    throw new IllegalStateException("row " + r + " has maps for " + given + " models, expected "
                            + models.size() + " " + models);
                }
            }
            return new CamFigure(this);
        }
    }

    /** Number of image rows. */
    public int rows() {
        return rows.size();
    }

    /** Number of picture columns: the image, then CAAM and target CAM for each model. */
    public int columns() {
        return 1 + 2 * models.size();
    }

    /** Width of the picture in pixels. */
    public int width() {
        return 2 * MARGIN + cellSize + models.size() * (GROUP_GAP + 2 * cellSize + GAP);
    }

    /** Height of the picture in pixels. */
    public int height() {
        return gridTop()
                + rows.size() * (cellSize + LABEL_HEIGHT)
                + (rows.size() - 1) * ROW_GAP
                + ROW_GAP
                + LEGEND_HEIGHT
                + MARGIN;
    }

    /**
     * Where a cell is drawn: column 0 is the image, column {@code 1 + 2m} the CAAM and {@code 2 + 2m} the target CAM
     * of model {@code m}.
     */
    public Rectangle cell(int row, int column) {
        Objects.checkIndex(row, rows.size());
        Objects.checkIndex(column, columns());
        int x;
        if (column == 0) {
            x = MARGIN;
        } else {
            int m = (column - 1) / 2;
            x = MARGIN
                    + cellSize
                    + GROUP_GAP
                    + m * (2 * cellSize + GAP + GROUP_GAP)
                    + ((column - 1) % 2) * (cellSize + GAP);
        }
        int y = gridTop() + row * (cellSize + LABEL_HEIGHT + ROW_GAP);
        return new Rectangle(x, y, cellSize, cellSize);
    }

    private int gridTop() {
        return MARGIN + (title.isEmpty() ? 0 : TITLE_HEIGHT) + 2 * HEADER_LINE + 4;
    }

    /** Draws the picture. */
    public BufferedImage render() {
        BufferedImage img = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                drawCell(img, cell(r, 0), row, null, 0, 0);
                for (int m = 0; m < models.size(); m++) {
                    ModelMaps maps = row.maps().get(m);
                    drawCell(img, cell(r, 1 + 2 * m), row, maps.caam(), maps.height(), maps.width());
                    drawCell(img, cell(r, 2 + 2 * m), row, maps.cam(), maps.height(), maps.width());
                }
            }
            drawLegendBar(img);
            if (text) {
                drawText(g);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * Renders the picture and writes it as PNG: first to a temporary file beside {@code png}, then moved into place
     * (atomically where the file system allows), so no half-written file is ever visible. Creates missing parent
     * directories.
     */
    public void write(Path png) throws IOException {
        BufferedImage img = render();
        Path target = png.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: that makes the file owner-only (0600) and the move would keep it so.
        Path tmp =
                dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
        try {
            try (OutputStream out =
                    Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (!ImageIO.write(img, "png", out)) {
                    throw new IOException("no PNG writer available in this JVM to write " + target);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Draws the image (map == null) or the image with the mh × mw map overlaid, fitted into the cell. */
    private void drawCell(BufferedImage out, Rectangle cell, Row row, float[] map, int mh, int mw) {
        int h = row.height();
        int w = row.width();
        double fit = Math.min((double) cell.width / w, (double) cell.height / h);
        int dw = Math.max(1, (int) Math.round(w * fit));
        int dh = Math.max(1, (int) Math.round(h * fit));
        int ox = cell.x + (cell.width - dw) / 2;
        int oy = cell.y + (cell.height - dh) / 2;
        Heatmap.draw(out, ox, oy, dw, dh, row.rgb(), h, w, map, mh, mw, alpha);
    }

    private void drawLegendBar(BufferedImage out) {
        int x0 = MARGIN;
        int y0 = height() - MARGIN - LEGEND_HEIGHT + 6;
        for (int x = 0; x < LEGEND_BAR_WIDTH; x++) {
            double t = x / (LEGEND_BAR_WIDTH - 1.0);
            int c = Heatmap.rgb(Heatmap.jetR(t), Heatmap.jetG(t), Heatmap.jetB(t));
            for (int y = 0; y < 10; y++) {
                out.setRGB(x0 + x, y0 + y, c);
            }
        }
    }

    private void drawText(Graphics2D g) {
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            Font bold = new Font(FONT, Font.BOLD, 13);
            Font plain = new Font(FONT, Font.PLAIN, 12);
            int y = MARGIN;
            if (!title.isEmpty()) {
                g.setFont(new Font(FONT, Font.BOLD, 16));
                g.setColor(INK);
                g.drawString(fit(g, title, width() - 2 * MARGIN), MARGIN, y + 18);
                y += TITLE_HEIGHT;
            }
            Rectangle first = cell(0, 0);
            g.setFont(bold);
            g.setColor(INK);
            for (int m = 0; m < models.size(); m++) {
                Rectangle a = cell(0, 1 + 2 * m);
                Rectangle b = cell(0, 2 + 2 * m);
                int span = b.x + b.width - a.x;
                centered(g, models.get(m), a.x, span, y + 13);
                g.setColor(SUBTLE);
                g.setStroke(new BasicStroke(1f));
                g.drawLine(a.x, y + HEADER_LINE - 1, a.x + span, y + HEADER_LINE - 1);
                g.setColor(INK);
            }
            g.setFont(plain);
            int y2 = y + HEADER_LINE + 14;
            centered(g, "image", first.x, first.width, y2);
            for (int m = 0; m < models.size(); m++) {
                Rectangle a = cell(0, 1 + 2 * m);
                Rectangle b = cell(0, 2 + 2 * m);
                centered(g, "CAAM", a.x, a.width, y2);
                centered(g, "target CAM", b.x, b.width, y2);
            }
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                Rectangle img = cell(r, 0);
                int ly = img.y + img.height + 14;
                g.setColor(INK);
                centered(g, row.caption(), img.x, img.width, ly);
                for (int m = 0; m < models.size(); m++) {
                    Rectangle a = cell(r, 1 + 2 * m);
                    Rectangle b = cell(r, 2 + 2 * m);
                    centered(g, "pred: " + row.maps().get(m).predicted(), a.x, b.x + b.width - a.x, ly);
                }
            }
            g.setColor(SUBTLE);
            int by = height() - MARGIN - LEGEND_HEIGHT + 6;
            g.drawString("low", MARGIN, by + 24);
            FontMetrics fm = g.getFontMetrics();
            g.drawString("high", MARGIN + LEGEND_BAR_WIDTH - fm.stringWidth("high"), by + 24);
            g.drawString(
                    fit(
                            g,
                            String.format(Locale.ROOT, "map min-max normalised per image, overlay opacity %.2f", alpha),
                            width() - 3 * MARGIN - LEGEND_BAR_WIDTH),
                    MARGIN * 2 + LEGEND_BAR_WIDTH,
                    by + 10);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            // Headless JVMs without fonts fail here (e.g. "Probable fatal error: No fonts found"); the maps are
            // the content, so keep them and say why the labels are missing.
            LOG.warn("CamFigure: cannot render text, drawing the figure without labels", e);
        }
    }

    private static void centered(Graphics2D g, String s, int x, int span, int baseline) {
        String t = fit(g, s, span);
        int tw = g.getFontMetrics().stringWidth(t);
        g.drawString(t, x + (span - tw) / 2, baseline);
    }

    /** {@code s}, shortened with an ellipsis to fit {@code width} pixels in the current font. */
    private static String fit(Graphics2D g, String s, int width) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (!t.isEmpty() && fm.stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }
}
