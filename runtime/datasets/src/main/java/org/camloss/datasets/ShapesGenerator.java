package org.camloss.datasets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders one example of the {@code shapes} dataset from its own seed: a solid target shape (the class) at a
 * random place and size, thin distractor marks that belong to no class, over a cluttered background.
 *
 * <p>Colours of the background, the target and every distractor are drawn independently of the label (only
 * kept apart from the background colour so that objects stay visible), and every class shape covers the same
 * area of its bounding box (half of it), so neither colour nor pixel counts give the label away. Distractors are
 * thin strokes (segments, "L" corners, open arcs) and clusters of small dots, never solid blobs, so they cannot
 * be mistaken for a class shape. The target is painted last, so its mask is never occluded.
 *
 * <p>Stateless apart from its settings; safe to use from several threads. Trigonometry goes through
 * {@link StrictMath}, so an example's bytes are the same on every JVM and CPU.
 */
final class ShapesGenerator {
    /** Generator version; part of the fingerprint, bump it whenever rendering changes. */
    static final String VERSION = "shapes-v1";

    /** All class names, in label order; a dataset with K classes uses the first K. */
    static final List<String> CLASS_NAMES = List.of("circle", "square", "triangle", "cross", "ring", "diamond");

    /** Cells per side of the low-frequency background clutter grid. */
    private static final int GRID = 4;
    /** Least RGB distance between the background colour and any object colour. */
    private static final double MIN_CONTRAST = 0.5;
    /** Background clutter amplitude per unit of {@code clutter}. */
    private static final double CLUTTER_AMPLITUDE = 0.35;
    /** Pixel noise amplitude per unit of {@code clutter}. */
    private static final double NOISE_AMPLITUDE = 0.1;

    private static final int PLACEMENT_TRIES = 20;

    // Shape constants chosen so that every class covers area 2 in the [-1, 1]² box (half the box).
    private static final double CIRCLE_R2 = 2.0 / Math.PI;
    private static final double SQUARE_HALF = Math.sqrt(0.5);
    private static final double CROSS_HALF_WIDTH = (8.0 - Math.sqrt(32.0)) / 8.0;
    private static final double RING_INNER2 = 1.0 - 2.0 / Math.PI;

    private final int size;
    private final int classes;
    private final int maxDistractors;
    private final double clutter;
    private final double minScale;
    private final double maxScale;
    /** Background grid cell of each pixel row/column, and the position inside it. */
    private final int[] cellIndex;

    private final float[] cellFraction;

    ShapesGenerator(int size, int classes, int maxDistractors, double clutter, double minScale, double maxScale) {
        this.size = size;
        this.classes = classes;
        this.maxDistractors = maxDistractors;
        this.clutter = clutter;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.cellIndex = new int[size];
        this.cellFraction = new float[size];
        for (int i = 0; i < size; i++) {
            double g = (i + 0.5) / size * GRID;
            cellIndex[i] = Math.min(GRID - 1, (int) g);
            cellFraction[i] = (float) (g - cellIndex[i]);
        }
    }

    int size() {
        return size;
    }

    /** The label of the example with this seed, without rendering it (the label is the seed's first draw). */
    int label(long seed) {
        return new SplittableRandom(seed).nextInt(classes);
    }

    /**
     * Renders the example with this seed.
     *
     * @param rgb     receives size·size·3 bytes (HWC, 0..255) at {@code rgbOff}
     * @param mask    receives the size·size target mask at {@code maskOff}
     * @return the label
     */
    int render(long seed, byte[] rgb, int rgbOff, boolean[] mask, int maskOff) {
        SplittableRandom rng = new SplittableRandom(seed);
        int label = rng.nextInt(classes);
        int s = size;
        float[] img = new float[s * s * 3];
        double[] bg = {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()};
        paintBackground(rng, bg, img);

        double scale = minScale + rng.nextDouble() * (maxScale - minScale);
        double half = scale * s / 2.0;
        double cx = half + rng.nextDouble() * (s - 2 * half);
        double cy = half + rng.nextDouble() * (s - 2 * half);
        double[] targetColour = colour(rng, bg);

        int count = maxDistractors == 0 ? 0 : rng.nextInt(maxDistractors + 1);
        double[] keepOut = {cx - half - 1, cy - half - 1, cx + half + 1, cy + half + 1};
        for (int d = 0; d < count; d++) {
            List<Mark> marks = distractor(rng);
            Box box = Box.of(marks);
            double[] shift = place(rng, box, keepOut);
            double[] c = colour(rng, bg);
            for (Mark m : marks) {
                paint(img, m.shifted(shift[0], shift[1]), c);
            }
        }

        Arrays.fill(mask, maskOff, maskOff + s * s, false);
        int x0 = Math.max(0, (int) Math.floor(cx - half));
        int x1 = Math.min(s - 1, (int) Math.ceil(cx + half));
        int y0 = Math.max(0, (int) Math.floor(cy - half));
        int y1 = Math.min(s - 1, (int) Math.ceil(cy + half));
        for (int y = y0; y <= y1; y++) {
            double v = (y + 0.5 - cy) / half;
            for (int x = x0; x <= x1; x++) {
                double u = (x + 0.5 - cx) / half;
                if (insideClassShape(label, u, v)) {
                    mask[maskOff + y * s + x] = true;
                    int p = (y * s + x) * 3;
                    img[p] = (float) targetColour[0];
                    img[p + 1] = (float) targetColour[1];
                    img[p + 2] = (float) targetColour[2];
                }
            }
        }

        float noise = (float) (NOISE_AMPLITUDE * clutter);
        float noiseScale = noise / 32768f;
        long bits = 0;
        for (int i = 0; i < img.length; i++) {
            float v = img[i];
            if (noise > 0) {
                if ((i & 3) == 0) {
                    bits = rng.nextLong();
                }
                v += (int) (bits & 0xFFFF) * noiseScale - noise; // uniform in [-noise, noise)
                bits >>>= 16;
            }
            int q = (int) (v * 255f + 0.5f);
            rgb[rgbOff + i] = (byte) (q < 0 ? 0 : (q > 255 ? 255 : q));
        }
        return label;
    }

    /** Whether the point (u, v) of the [-1, 1]² box (v downwards) is inside the shape of class {@code label}. */
    static boolean insideClassShape(int label, double u, double v) {
        double au = Math.abs(u);
        double av = Math.abs(v);
        return switch (label) {
            case 0 -> u * u + v * v <= CIRCLE_R2; // circle
            case 1 -> au <= SQUARE_HALF && av <= SQUARE_HALF; // square
            case 2 -> v >= -1 && v <= 1 && au <= (v + 1) / 2; // triangle, apex up
            case 3 -> (au <= CROSS_HALF_WIDTH && av <= 1) || (av <= CROSS_HALF_WIDTH && au <= 1); // cross
            case 4 -> { // ring
                double r2 = u * u + v * v;
                yield r2 <= 1 && r2 >= RING_INNER2;
            }
            case 5 -> au + av <= 1; // diamond
            default -> throw new IllegalArgumentException("no class shape " + label);
        };
    }

    private void paintBackground(SplittableRandom rng, double[] bg, float[] img) {
        int s = size;
        int g1 = GRID + 1;
        int rowLen = g1 * 3;
        double amp = CLUTTER_AMPLITUDE * clutter;
        float[] grid = new float[g1 * rowLen];
        for (int i = 0; i < grid.length; i++) {
            double offset = amp == 0 ? 0 : (rng.nextDouble() * 2 - 1) * amp;
            grid[i] = (float) (bg[i % 3] + offset);
        }
        float[] row = new float[rowLen];
        for (int y = 0; y < s; y++) {
            int top = cellIndex[y] * rowLen;
            float fy = cellFraction[y];
            for (int j = 0; j < rowLen; j++) {
                float a = grid[top + j];
                row[j] = a + (grid[top + rowLen + j] - a) * fy;
            }
            for (int x = 0, p = y * s * 3; x < s; x++, p += 3) {
                int j = cellIndex[x] * 3;
                float fx = cellFraction[x];
                img[p] = row[j] + (row[j + 3] - row[j]) * fx;
                img[p + 1] = row[j + 1] + (row[j + 4] - row[j + 1]) * fx;
                img[p + 2] = row[j + 2] + (row[j + 5] - row[j + 2]) * fx;
            }
        }
    }

    /** A random colour at least {@link #MIN_CONTRAST} away from the background colour; independent of the label. */
    private static double[] colour(SplittableRandom rng, double[] bg) {
        for (int t = 0; t < 64; t++) {
            double[] c = {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()};
            double d0 = c[0] - bg[0];
            double d1 = c[1] - bg[1];
            double d2 = c[2] - bg[2];
            if (d0 * d0 + d1 * d1 + d2 * d2 >= MIN_CONTRAST * MIN_CONTRAST) {
                return c;
            }
        }
        return new double[] {bg[0] < 0.5 ? 1 : 0, bg[1] < 0.5 ? 1 : 0, bg[2] < 0.5 ? 1 : 0};
    }

    /** A random distractor made of thin marks, centred near the origin. */
    private List<Mark> distractor(SplittableRandom rng) {
        int s = size;
        double hw = 0.6 * Math.max(1.0, s / 32.0); // half-width of strokes: about one pixel at size 32
        List<Mark> marks = new ArrayList<>();
        switch (rng.nextInt(4)) {
            case 0 -> { // line segment
                double len = (0.3 + 0.3 * rng.nextDouble()) * s;
                double a = rng.nextDouble() * Math.PI;
                double dx = StrictMath.cos(a) * len / 2;
                double dy = StrictMath.sin(a) * len / 2;
                marks.add(new Capsule(-dx, -dy, dx, dy, hw));
            }
            case 1 -> { // "L" corner with arms along the axes
                double a = (0.2 + 0.15 * rng.nextDouble()) * s;
                double b = (0.2 + 0.15 * rng.nextDouble()) * s;
                double sx = rng.nextBoolean() ? 1 : -1;
                double sy = rng.nextBoolean() ? 1 : -1;
                marks.add(new Capsule(0, 0, sx * a, 0, hw));
                marks.add(new Capsule(0, 0, 0, sy * b, hw));
            }
            case 2 -> { // open arc, at most 150 degrees
                double r = (0.15 + 0.15 * rng.nextDouble()) * s;
                double start = rng.nextDouble() * 2 * Math.PI;
                double span = Math.toRadians(60 + 90 * rng.nextDouble());
                marks.add(new Arc(0, 0, r, hw, start, span));
            }
            default -> { // cluster of small, separated dots
                int n = 3 + rng.nextInt(4);
                double spread = 0.12 * s;
                double r = hw * (1.3 + 0.4 * rng.nextDouble());
                double minGap = 3.2 * r;
                List<double[]> centres = new ArrayList<>();
                for (int t = 0; t < 60 && centres.size() < n; t++) {
                    double px = (rng.nextDouble() * 2 - 1) * spread;
                    double py = (rng.nextDouble() * 2 - 1) * spread;
                    boolean apart = true;
                    for (double[] c : centres) {
                        if (StrictMath.hypot(c[0] - px, c[1] - py) < minGap) {
                            apart = false;
                            break;
                        }
                    }
                    if (apart) {
                        centres.add(new double[] {px, py});
                    }
                }
                for (double[] c : centres) {
                    marks.add(new Capsule(c[0], c[1], c[0], c[1], r));
                }
            }
        }
        return marks;
    }

    /** A translation that keeps the box inside the image and, if it can, clear of {@code keepOut}. */
    private double[] place(SplittableRandom rng, Box box, double[] keepOut) {
        int s = size;
        double[] shift = {0, 0};
        for (int t = 0; t < PLACEMENT_TRIES; t++) {
            shift[0] = range(rng, -box.x0, s - box.x1);
            shift[1] = range(rng, -box.y0, s - box.y1);
            boolean overlaps = box.x0 + shift[0] < keepOut[2]
                    && box.x1 + shift[0] > keepOut[0]
                    && box.y0 + shift[1] < keepOut[3]
                    && box.y1 + shift[1] > keepOut[1];
            if (!overlaps) {
                break;
            }
        }
        return shift;
    }

    private static double range(SplittableRandom rng, double lo, double hi) {
        return hi <= lo ? (lo + hi) / 2 : lo + rng.nextDouble() * (hi - lo);
    }

    private void paint(float[] img, Mark m, double[] colour) {
        int s = size;
        Box b = m.box();
        int x0 = Math.max(0, (int) Math.floor(b.x0));
        int x1 = Math.min(s - 1, (int) Math.ceil(b.x1));
        int y0 = Math.max(0, (int) Math.floor(b.y0));
        int y1 = Math.min(s - 1, (int) Math.ceil(b.y1));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (m.covers(x + 0.5, y + 0.5)) {
                    int p = (y * s + x) * 3;
                    img[p] = (float) colour[0];
                    img[p + 1] = (float) colour[1];
                    img[p + 2] = (float) colour[2];
                }
            }
        }
    }

    /** An axis-aligned box in pixel coordinates. */
    private record Box(double x0, double y0, double x1, double y1) {
        static Box of(List<Mark> marks) {
            double x0 = Double.POSITIVE_INFINITY;
            double y0 = Double.POSITIVE_INFINITY;
            double x1 = Double.NEGATIVE_INFINITY;
            double y1 = Double.NEGATIVE_INFINITY;
            for (Mark m : marks) {
                Box b = m.box();
                x0 = Math.min(x0, b.x0);
                y0 = Math.min(y0, b.y0);
                x1 = Math.max(x1, b.x1);
                y1 = Math.max(y1, b.y1);
            }
            return new Box(x0, y0, x1, y1);
        }
    }

    /** One thin mark of a distractor. */
    private sealed interface Mark permits Capsule, Arc {
        boolean covers(double px, double py);

        Box box();

        Mark shifted(double dx, double dy);
    }

    /** Points within {@code r} of the segment (a disc when both ends coincide). */
    private record Capsule(double ax, double ay, double bx, double by, double r) implements Mark {
        @Override
        public boolean covers(double px, double py) {
            double vx = bx - ax;
            double vy = by - ay;
            double len2 = vx * vx + vy * vy;
            double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / len2));
            double dx = px - (ax + t * vx);
            double dy = py - (ay + t * vy);
            return dx * dx + dy * dy <= r * r;
        }

        @Override
        public Box box() {
            return new Box(Math.min(ax, bx) - r, Math.min(ay, by) - r, Math.max(ax, bx) + r, Math.max(ay, by) + r);
        }

        @Override
        public Mark shifted(double dx, double dy) {
            return new Capsule(ax + dx, ay + dy, bx + dx, by + dy, r);
        }
    }

    /** A band of half-width {@code hw} around a circle of radius {@code r}, from angle {@code start} over {@code span}. */
    private record Arc(double cx, double cy, double r, double hw, double start, double span) implements Mark {
        @Override
        public boolean covers(double px, double py) {
            double dx = px - cx;
            double dy = py - cy;
            double d = Math.sqrt(dx * dx + dy * dy);
            if (Math.abs(d - r) > hw) {
                return false;
            }
            double a = StrictMath.atan2(dy, dx) - start;
            a = a - 2 * Math.PI * Math.floor(a / (2 * Math.PI));
            return a <= span;
        }

        @Override
        public Box box() {
            double e = r + hw;
            return new Box(cx - e, cy - e, cx + e, cy + e);
        }

        @Override
        public Mark shifted(double dx, double dy) {
            return new Arc(cx + dx, cy + dy, r, hw, start, span);
        }
    }
}
