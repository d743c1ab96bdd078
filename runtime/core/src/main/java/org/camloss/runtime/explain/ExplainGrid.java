package org.camloss.runtime.explain;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One picture of several images explained by several methods: a row per image (the image, then its map by each
 * method overlaid as {@link Heatmap} draws it), a header naming the columns, and a caption under each image. Text
 * uses the logical font {@code SansSerif}; a JVM that cannot render text (no fonts) gets the grid without text.
 */
final class ExplainGrid {
    private static final Logger LOG = LoggerFactory.getLogger(ExplainGrid.class);
    private static final int MARGIN = 10;
    private static final int GAP = 4;
    private static final int HEADER = 20;
    private static final int CAPTION = 18;

    /**
     * One row.
     *
     * @param rgb01   the image, H·W·3 in [0, 1]
     * @param caption under the image
     * @param maps    one raw map (mh·mw) per method
     */
    record Row(float[] rgb01, String caption, List<float[]> maps) {}

    private ExplainGrid() {}

    static BufferedImage render(
            List<Row> rows, List<String> methods, int height, int width, int mh, int mw, int cell, double alpha) {
        int columns = 1 + methods.size();
        int cellH = Math.max(1, (int) Math.round(cell * (double) height / Math.max(height, width)));
        int cellW = Math.max(1, (int) Math.round(cell * (double) width / Math.max(height, width)));
        int w = 2 * MARGIN + columns * cellW + (columns - 1) * GAP;
        int h = 2 * MARGIN + HEADER + rows.size() * (cellH + CAPTION);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                int y = MARGIN + HEADER + r * (cellH + CAPTION);
                for (int c = 0; c < columns; c++) {
                    int x = MARGIN + c * (cellW + GAP);
                    float[] map = c == 0 ? null : row.maps().get(c - 1);
                    Heatmap.draw(img, x, y, cellW, cellH, row.rgb01(), height, width, map, mh, mw, alpha);
                }
            }
            try {
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setColor(new Color(0x22, 0x22, 0x22));
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
                for (int c = 0; c < columns; c++) {
                    centered(g, c == 0 ? "image" : methods.get(c - 1), MARGIN + c * (cellW + GAP), cellW, MARGIN + 14);
                }
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                for (int r = 0; r < rows.size(); r++) {
                    int y = MARGIN + HEADER + r * (cellH + CAPTION) + cellH + 13;
                    String caption = rows.get(r).caption();
                    FontMetrics fm = g.getFontMetrics();
                    String t = caption;
                    while (!t.isEmpty() && fm.stringWidth(t) > w - 2 * MARGIN) {
                        t = t.substring(0, t.length() - 1);
                    }
                    g.drawString(t, MARGIN, y);
                }
            } catch (OutOfMemoryError | StackOverflowError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                LOG.warn("explain grid: cannot render text, drawing the grid without labels", e);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Draws {@code s} centred over {@code span}, in a smaller font (down to 8 points) or cut when it is too long. */
    private static void centered(Graphics2D g, String s, int x, int span, int baseline) {
        Font font = g.getFont();
        for (int size = font.getSize(); size > 8 && g.getFontMetrics().stringWidth(s) > span; size--) {
            g.setFont(font.deriveFont((float) (size - 1)));
        }
        FontMetrics fm = g.getFontMetrics();
        String t = s;
        while (!t.isEmpty() && fm.stringWidth(t) > span) {
            t = t.substring(0, t.length() - 1);
        }
        g.drawString(t, x + (span - fm.stringWidth(t)) / 2, baseline);
        g.setFont(font);
    }
}
