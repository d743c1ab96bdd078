package org.camloss.runtime.explain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.camloss.api.InputShape;
import org.camloss.api.UserException;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.PixelNormalization;
import org.camloss.datasets.ImageFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The images {@link Explain} explains: image files, or a split of a dataset. */
abstract class Inputs {
    /** Problems listed in one message at most; the rest are counted. */
    private static final int MAX_LISTED = 10;

    /** Number of images. */
    abstract int size();

    /** A name for messages, files and {@code explain.json}. */
    abstract String name(int i);

    /** The true class, or -1 when unknown. */
    abstract int label(int i);

    /** Whether every image has a true class. */
    abstract boolean hasLabels();

    /** Whether every image has an object mask. */
    abstract boolean hasMasks();

    /** The normalised images, [n, H, W, C]. */
    abstract INDArray images(int[] idx);

    /** The image as RGB in [0, 1], H·W·3, for pictures. */
    abstract float[] display(int i);

    /** The object mask at the model's input size, H·W; only when {@link #hasMasks()}. */
    abstract boolean[] mask(int i);

    /** For {@code explain.json}. */
    abstract Map<String, Object> describe();

    /** Joins problems into one message, at most {@value #MAX_LISTED} of them. */
    static String problems(String what, List<String> problems) {
        StringBuilder sb = new StringBuilder(what);
        for (int i = 0; i < Math.min(MAX_LISTED, problems.size()); i++) {
            sb.append("\n  ").append(problems.get(i));
        }
        if (problems.size() > MAX_LISTED) {
            sb.append("\n  ... and ").append(problems.size() - MAX_LISTED).append(" more");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ image files

    /** One image file: its path, the directory argument it was found under (or null), and its path below that. */
    private record Found(Path file, Path root, String relative) {}

    /**
     * Image files and directories (searched recursively; names starting with '.' skipped at every depth; files of
     * other types in a directory ignored and counted), decoded to the model's channels and resized to its size,
     * normalised with {@code normalization}; with {@code masks}, each image's mask at the same relative path. With
     * {@code limit} above 0, only the first {@code limit} images in argument order (a directory's files sorted by
     * path) are read.
     *
     * @throws UserException listing every path that does not exist, holds no image, cannot be decoded, or whose
     *     mask is missing, of another size, or left over
     */
    static Inputs files(List<Path> paths, Path masks, InputShape shape, PixelNormalization normalization, int limit) {
        if (paths.isEmpty()) {
            throw new UserException("--images: no file or directory given");
        }
        if (shape.channels() != 1 && shape.channels() != 3) {
            throw new UserException("--images: the model takes " + shape.channels() + "-channel images; image files "
                    + "give 1 (grey) or 3 (RGB)");
        }
        if (normalization.channels() != shape.channels()) {
            throw new UserException("--mean/--std: give 1 value or " + shape.channels() + " (one per channel), found "
                    + normalization.channels());
        }
        List<String> problems = new ArrayList<>();
        List<Found> found = new ArrayList<>();
        int[] ignored = {0};
        for (Path p : paths) {
            if (!Files.exists(p)) {
                problems.add(p + ": does not exist");
            } else if (Files.isDirectory(p)) {
                List<Found> in = walk(p, ignored);
                if (in.isEmpty()) {
                    problems.add(p + ": holds no .png, .jpg or .jpeg file");
                }
                found.addAll(in);
            } else {
                found.add(new Found(p, null, p.getFileName().toString()));
            }
        }
        if (!problems.isEmpty()) {
            throw new UserException(problems("--images: " + problems.size() + " problem(s):", problems));
        }
        boolean truncated = limit > 0 && found.size() > limit;
        if (truncated) {
            found.subList(limit, found.size()).clear();
        }
        int n = found.size();
        byte[][] pixels = new byte[n][];
        int[][] original = new int[n][];
        for (int i = 0; i < n; i++) {
            try {
                ImageFiles.Image img =
                        ImageFiles.read(found.get(i).file(), shape.height(), shape.width(), shape.channels());
                pixels[i] = img.pixels();
                original[i] = new int[] {img.originalHeight(), img.originalWidth()};
            } catch (UserException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new UserException(problems(
                    "--images: " + problems.size() + " of " + n + " images cannot be read (PNG and JPEG are "
                            + "supported):",
                    problems));
        }
        boolean[][] maskArrays = masks == null ? null : masks(masks, found, original, shape, truncated);
        List<String> names = new ArrayList<>();
        for (Found f : found) {
            names.add(f.root() == null ? f.file().toString() : f.root().getFileName() + "/" + f.relative());
        }
        return new FileInputs(names, pixels, maskArrays, shape, normalization, paths, masks, ignored[0]);
    }

    private static List<Found> walk(Path root, int[] ignored) {
        List<Found> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(f -> {
                Path rel = root.relativize(f);
                for (Path part : rel) {
                    if (part.toString().startsWith(".")) {
                        return;
                    }
                }
                if (ImageFiles.isImageName(f.getFileName().toString())) {
                    out.add(new Found(f, root, rel.toString().replace('\\', '/')));
                } else {
                    ignored[0]++;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new UserException("--images " + root + ": cannot be listed (" + e.getMessage() + ")");
        }
        out.sort(Comparator.comparing(Found::relative));
        return out;
    }

    /** Each image's mask, resized to the model's size by nearest neighbour; masks left over are refused unless {@code truncated}. */
    private static boolean[][] masks(
            Path dir, List<Found> found, int[][] original, InputShape shape, boolean truncated) {
        if (!Files.isDirectory(dir)) {
            throw new UserException("--masks " + dir + ": not a directory");
        }
        List<String> problems = new ArrayList<>();
        Set<Path> used = new TreeSet<>();
        boolean[][] out = new boolean[found.size()][];
        for (int i = 0; i < found.size(); i++) {
            Found f = found.get(i);
            String rel = f.relative();
            String stem = rel.contains(".") ? rel.substring(0, rel.lastIndexOf('.')) : rel;
            List<Path> candidates = new ArrayList<>();
            for (String ext : List.of(".png", ".jpg", ".jpeg", ".PNG", ".JPG", ".JPEG")) {
                Path m = dir.resolve(stem + ext);
                if (Files.isRegularFile(m)) {
                    candidates.add(m);
                }
            }
            if (candidates.isEmpty()) {
                problems.add(f.file() + ": no mask " + dir.resolve(stem + ".png"));
                continue;
            }
            if (candidates.size() > 1) {
                problems.add(f.file() + ": more than one mask: " + candidates);
                continue;
            }
            Path m = candidates.get(0);
            used.add(m.toAbsolutePath().normalize());
            ImageFiles.Mask mask;
            try {
                mask = ImageFiles.readMask(m);
            } catch (UserException e) {
                problems.add(e.getMessage());
                continue;
            }
            if (mask.height() != original[i][0] || mask.width() != original[i][1]) {
                problems.add(m + ": " + mask.height() + "x" + mask.width() + " but its image " + f.file() + " is "
                        + original[i][0] + "x" + original[i][1]
                        + " (height x width); a mask must have its image's size");
                continue;
            }
            out[i] = resizeNearest(mask.inside(), mask.height(), mask.width(), shape.height(), shape.width());
        }
        List<String> extra = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> ImageFiles.isImageName(p.getFileName().toString()))
                    .filter(p -> !dir.relativize(p).toString().startsWith("."))
                    .filter(p -> !used.contains(p.toAbsolutePath().normalize()))
                    .sorted()
                    .forEach(p -> extra.add(p + ": a mask without an image (images are matched by their path below "
                            + "the --images directory, extension aside)"));
        } catch (IOException | UncheckedIOException e) {
            throw new UserException("--masks " + dir + ": cannot be listed (" + e.getMessage() + ")");
        }
        if (problems.isEmpty() && (truncated || found.stream().allMatch(f -> f.root() == null))) {
            // single files: their masks are matched by file name only, so other files in the directory are expected;
            // with --limit, the masks of the images left out are expected too
            extra.clear();
        }
        problems.addAll(extra);
        if (!problems.isEmpty()) {
            throw new UserException(problems("--masks " + dir + ": " + problems.size() + " problem(s):", problems));
        }
        return out;
    }

    /** Nearest-neighbour resizing of a mask: output pixel d takes input pixel ⌊(d + 0.5)·in/out⌋. */
    static boolean[] resizeNearest(boolean[] m, int h, int w, int outH, int outW) {
        if (h == outH && w == outW) {
            return m.clone();
        }
        boolean[] out = new boolean[outH * outW];
        for (int y = 0; y < outH; y++) {
            int sy = Math.min(h - 1, (int) ((y + 0.5) * h / outH));
            for (int x = 0; x < outW; x++) {
                int sx = Math.min(w - 1, (int) ((x + 0.5) * w / outW));
                out[y * outW + x] = m[sy * w + sx];
            }
        }
        return out;
    }

    private static final class FileInputs extends Inputs {
        private final List<String> names;
        private final byte[][] pixels;
        private final boolean[][] masks;
        private final InputShape shape;
        private final PixelNormalization normalization;
        private final List<Path> paths;
        private final Path maskDir;
        private final int ignored;

        FileInputs(
                List<String> names,
                byte[][] pixels,
                boolean[][] masks,
                InputShape shape,
                PixelNormalization normalization,
                List<Path> paths,
                Path maskDir,
                int ignored) {
            this.names = names;
            this.pixels = pixels;
            this.masks = masks;
            this.shape = shape;
            this.normalization = normalization;
            this.paths = paths;
            this.maskDir = maskDir;
            this.ignored = ignored;
        }

        @Override
        int size() {
            return pixels.length;
        }

        @Override
        String name(int i) {
            return names.get(i);
        }

        @Override
        int label(int i) {
            return -1;
        }

        @Override
        boolean hasLabels() {
            return false;
        }

        @Override
        boolean hasMasks() {
            return masks != null;
        }

        @Override
        INDArray images(int[] idx) {
            int c = shape.channels();
            int len = shape.height() * shape.width() * c;
            double[] mean = normalization.mean();
            double[] std = normalization.std();
            float[] out = new float[idx.length * len];
            for (int b = 0; b < idx.length; b++) {
                byte[] px = pixels[idx[b]];
                for (int p = 0; p < len; p++) {
                    int ch = p % c;
                    out[b * len + p] = (float) (((px[p] & 0xFF) / 255.0 - mean[ch]) / std[ch]);
                }
            }
            return Nd4j.create(out, new long[] {idx.length, shape.height(), shape.width(), c}, 'c');
        }

        @Override
        float[] display(int i) {
            int c = shape.channels();
            int n = shape.height() * shape.width();
            float[] rgb = new float[n * 3];
            byte[] px = pixels[i];
            for (int p = 0; p < n; p++) {
                for (int k = 0; k < 3; k++) {
                    rgb[p * 3 + k] = (px[p * c + (c == 3 ? k : 0)] & 0xFF) / 255f;
                }
            }
            return rgb;
        }

        @Override
        boolean[] mask(int i) {
            return masks[i];
        }

        @Override
        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "image files");
            m.put("paths", paths.stream().map(Path::toString).toList());
            m.put("count", pixels.length);
            m.put("other_files_ignored", ignored);
            m.put("masks", maskDir == null ? null : maskDir.toString());
            m.put("resized_to", shape.toString());
            m.put("normalization", Map.of("mean", normalization.mean(), "std", normalization.std()));
            return m;
        }
    }

    // ------------------------------------------------------------------ dataset splits

    /**
     * Images of a dataset split: all, the first {@code limit}, or the given indices.
     *
     * @param display how the split's images become pixels again, when known (else each image is min-max scaled)
     */
    static Inputs split(
            DataSplit split,
            String splitName,
            String datasetName,
            InputShape shape,
            int limit,
            List<Integer> indices,
            PixelNormalization display) {
        int[] idx;
        if (!indices.isEmpty()) {
            idx = new int[indices.size()];
            for (int i = 0; i < idx.length; i++) {
                int v = indices.get(i);
                if (v < 0 || v >= split.size()) {
                    throw new UserException("indices: " + v + " is out of range [0, " + (split.size() - 1) + "] of the "
                            + splitName + " split");
                }
                idx[i] = v;
            }
        } else {
            int n = limit > 0 ? Math.min(limit, split.size()) : split.size();
            idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
        }
        if (idx.length == 0) {
            throw new UserException("--data " + splitName + ": the split of " + datasetName + " holds no image");
        }
        return new SplitInputs(split, splitName, datasetName, shape, idx, display);
    }

    private static final class SplitInputs extends Inputs {
        private final DataSplit split;
        private final String splitName;
        private final String datasetName;
        private final InputShape shape;
        private final int[] idx;
        private final PixelNormalization display;

        SplitInputs(
                DataSplit split,
                String splitName,
                String datasetName,
                InputShape shape,
                int[] idx,
                PixelNormalization display) {
            this.split = split;
            this.splitName = splitName;
            this.datasetName = datasetName;
            this.shape = shape;
            this.idx = idx;
            this.display = display;
        }

        @Override
        int size() {
            return idx.length;
        }

        @Override
        String name(int i) {
            return splitName + "/" + idx[i];
        }

        @Override
        int label(int i) {
            return split.label(idx[i]);
        }

        @Override
        boolean hasLabels() {
            return true;
        }

        @Override
        boolean hasMasks() {
            return split.hasMasks();
        }

        private float[] raw(int i) {
            float[] out = new float[shape.height() * shape.width() * shape.channels()];
            split.image(idx[i], out, 0);
            return out;
        }

        @Override
        INDArray images(int[] which) {
            int len = shape.height() * shape.width() * shape.channels();
            float[] out = new float[which.length * len];
            for (int b = 0; b < which.length; b++) {
                split.image(idx[which[b]], out, b * len);
            }
            return Nd4j.create(out, new long[] {which.length, shape.height(), shape.width(), shape.channels()}, 'c')
                    .castTo(DataType.FLOAT);
        }

        @Override
        float[] display(int i) {
            float[] x = raw(i);
            int c = shape.channels();
            int n = shape.height() * shape.width();
            float[] rgb = new float[n * 3];
            if (display != null && display.channels() == c) {
                double[] mean = display.mean();
                double[] std = display.std();
                for (int p = 0; p < n; p++) {
                    for (int k = 0; k < 3; k++) {
                        int ch = c == 3 ? k : 0;
                        rgb[p * 3 + k] = (float) (x[p * c + ch] * std[ch] + mean[ch]);
                    }
                }
                return rgb;
            }
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float f : x) {
                min = Math.min(min, f);
                max = Math.max(max, f);
            }
            for (int p = 0; p < n; p++) {
                for (int k = 0; k < 3; k++) {
                    float v = x[p * c + (c == 3 ? k : 0)];
                    rgb[p * 3 + k] = max > min ? (v - min) / (max - min) : 0f;
                }
            }
            return rgb;
        }

        @Override
        boolean[] mask(int i) {
            boolean[] m = new boolean[shape.height() * shape.width()];
            split.mask(idx[i], m, 0);
            return m;
        }

        @Override
        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "dataset split");
            m.put("dataset", datasetName);
            m.put("split", splitName);
            m.put("count", idx.length);
            m.put("masks", split.hasMasks());
            return m;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s of %s (%d images)", splitName, datasetName, idx.length);
        }
    }
}
