package org.camloss.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.camloss.api.DatasetFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.UserException;
import org.camloss.api.data.Dataset;

/**
 * {@code image-folder}: images in one folder per class, {@code DIR/train/<class>/} and {@code DIR/test/<class>/}, read
 * as torchvision's {@code ImageFolder} reads them, except where it would silently read something else than meant.
 *
 * <p>The rules, applied to {@code train/} and {@code test/} alike:
 * <ul>
 *   <li><b>Hidden entries</b> — any file or folder whose name starts with {@code .} ({@code .ipynb_checkpoints},
 *       {@code .DS_Store}, {@code ._x.png}), at any depth — are ignored.</li>
 *   <li><b>Classes</b> are the folders directly in {@code train/}, in sorted name order (Unicode code points, as
 *       Python's {@code sorted}); class k is the k-th. At least two. A file directly in {@code train/} or
 *       {@code test/} is refused: it belongs to no class.</li>
 *   <li><b>{@code test/}</b> has a folder for every class and for no other name, so a renamed or missing folder
 *       cannot shift labels or leave a class untested.</li>
 *   <li><b>Images</b> are the files with names ending in {@code .png}, {@code .jpg} or {@code .jpeg} (any case)
 *       anywhere below a class folder: <b>nested folders</b> are read recursively (as {@code ImageFolder} does), the
 *       image belonging to the class folder it is under. Any other file there ({@code .txt}, {@code .gif},
 *       {@code .webp}, ...) is refused rather than skipped, so no image is dropped without a word.</li>
 *   <li>An <b>empty class folder</b> (no image at any depth) is refused, in {@code train/} and in {@code test/}.</li>
 *   <li>Order: classes in order; within a class, folders by their path and files by name, as {@code ImageFolder}
 *       lists them ({@code sorted(os.walk(...))}), which is the order {@code train_limit} and {@code test_limit}
 *       take the first N in.</li>
 *   <li>Symbolic links are followed; a link that loops is refused.</li>
 * </ul>
 * Every problem found is reported at once, each line naming the folder or file. Images are decoded as
 * {@link ImageDecoder} says (Pillow's values; alpha dropped; EXIF orientation not applied) and then resized
 * (bilinear) to {@code size}×{@code size}, the aspect ratio not kept; an image already of that size is used as is.
 */
public final class ImageFolderDatasetFactory implements DatasetFactory {
    /** At most this many problems are listed in one message. */
    static final int MAX_PROBLEMS = 20;

    @Override
    public String id() {
        return "image-folder";
    }

    @Override
    public String description() {
        return "PNG/JPEG files in DIR/train/<class>/ and DIR/test/<class>/ (nested folders read, names starting with "
                + "'.' ignored), classes in sorted order, resized to size x size.";
    }

    @Override
    public List<ParamSpec> params() {
        return DataParams.with(List.of(
                ParamSpec.ofString(
                        "dir", "data/images", "Directory holding train/ and test/, each with one folder per class."),
                ParamSpec.ofInt("size", 32, 8, 1024, "Side of the square the images are resized to."),
                ParamSpec.ofChoice("color", "rgb", List.of("rgb", "grey"), "Read images as RGB or grey.")));
    }

    /** The shared rules of file datasets ({@link DataParams#validate}). */
    @Override
    public List<ParamProblem> validate(Params p) {
        return DataParams.validate(p);
    }

    @Override
    public Dataset create(Params p) {
        ParamProblem.throwIfAny(validate(p));
        Path dir = Path.of(p.getString("dir"));
        Path trainDir = dir.resolve("train");
        Path testDir = dir.resolve("test");
        for (Path d : List.of(trainDir, testDir)) {
            if (!Files.isDirectory(d)) {
                throw new UserException(
                        d + ": does not exist; image-folder expects DIR/train/<class>/ and DIR/test/<class>/");
            }
        }
        Listing train = list(trainDir);
        Listing test = list(testDir);
        List<String> problems = new ArrayList<>(train.problems);
        problems.addAll(test.problems);
        List<String> classes = train.classes();
        if (classes.size() < 2) {
            problems.add(0, trainDir + ": needs at least 2 class folders, found " + classes);
        }
        List<String> extra = new ArrayList<>(test.classes());
        extra.removeAll(classes);
        if (!extra.isEmpty()) {
            problems.add(testDir + ": class folders " + extra + " have no training folder; classes are " + classes);
        }
        List<String> missing = new ArrayList<>(classes);
        missing.removeAll(test.classes());
        if (!missing.isEmpty() && classes.size() >= 2) {
            problems.add(testDir + ": no folder for classes " + missing + "; every class of " + trainDir
                    + " needs test images, in a folder of the same name");
        }
        if (!problems.isEmpty()) {
            throw new UserException(summary(problems));
        }
        int size = p.getInt("size");
        int channels = p.getString("color").equals("rgb") ? 3 : 1;
        MessageDigest digest = Fingerprints.sha256();
        ImageArrays tr = read(trainDir, train, classes, size, channels, p.getInt("train_limit"), digest);
        ImageArrays te = read(testDir, test, classes, size, channels, p.getInt("test_limit"), digest);
        return new ArrayDataset(
                "image-folder(" + dir + ", " + size + "x" + size + ", train=" + tr.size() + ", test=" + te.size() + ")",
                classes,
                tr,
                te,
                p,
                Fingerprints.finish(digest, id(), p.asMap()));
    }

    private static String summary(List<String> problems) {
        if (problems.size() <= MAX_PROBLEMS) {
            return String.join("\n", problems);
        }
        return String.join("\n", problems.subList(0, MAX_PROBLEMS)) + "\n... and " + (problems.size() - MAX_PROBLEMS)
                + " more problems of the same folders";
    }

    /** Python's string order: by Unicode code point (String.compareTo orders UTF-16 units). */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** Whether an entry is hidden: its name starts with a dot. */
    static boolean hidden(Path entry) {
        return entry.getFileName().toString().startsWith(".");
    }

    /**
     * What a split's folder holds: class name to its image files (in reading order), and every problem found.
     */
    private record Listing(Map<String, List<Path>> images, List<String> problems) {
        List<String> classes() {
            return List.copyOf(images.keySet());
        }
    }

    private static Listing list(Path root) {
        Map<String, List<Path>> images = new TreeMap<>(CODE_POINT_ORDER);
        List<String> problems = new ArrayList<>();
        for (Path entry : entries(root)) {
            if (hidden(entry)) {
                continue;
            }
            if (Files.isDirectory(entry)) {
                List<Path> found = new ArrayList<>();
                Set<Path> onPath = new HashSet<>();
                onPath.add(realPath(root));
                walk(entry, entry, found, problems, onPath);
                found.sort(Comparator.comparing(
                                (Path f) -> entry.relativize(f.getParent())
                                        .toString()
                                        .replace('\\', '/'),
                                CODE_POINT_ORDER)
                        .thenComparing(f -> f.getFileName().toString(), CODE_POINT_ORDER));
                if (found.isEmpty()) {
                    problems.add(entry + ": class folder has no images (" + extensions() + ", at any depth)");
                }
                images.put(entry.getFileName().toString(), found);
            } else {
                problems.add(entry + ": a file among the class folders; " + root + " must hold only one folder per "
                        + "class (names starting with '.' are ignored)");
            }
        }
        return new Listing(images, problems);
    }

    private static void walk(Path classDir, Path dir, List<Path> found, List<String> problems, Set<Path> onPath) {
        Path real = realPath(dir);
        if (!onPath.add(real)) {
            problems.add(dir + ": a symbolic link that loops back to " + real);
            return;
        }
        for (Path entry : entries(dir)) {
            if (hidden(entry)) {
                continue;
            }
            if (Files.isDirectory(entry)) {
                walk(classDir, entry, found, problems, onPath);
            } else if (ImageDecoder.isImageName(entry.getFileName().toString())) {
                found.add(entry);
            } else {
                problems.add(entry + ": not an image; every file under a class folder must end in " + extensions()
                        + " (names starting with '.' are ignored)");
            }
        }
        onPath.remove(real);
    }

    private static String extensions() {
        return String.join(", ", ImageDecoder.EXTENSIONS);
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted(Comparator.comparing(e -> e.getFileName().toString(), CODE_POINT_ORDER))
                    .toList();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot be listed (" + e.getMessage() + ")");
        }
    }

    private static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot be resolved (" + e.getMessage() + ")");
        }
    }

    private static ImageArrays read(
            Path root, Listing listing, List<String> classes, int size, int channels, int limit, MessageDigest digest) {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            for (Path f : listing.images().get(classes.get(k))) {
                files.add(f);
                labels.add(k);
            }
        }
        int n = limit > 0 ? Math.min(limit, files.size()) : files.size();
        int per = size * size * channels;
        byte[] px = new byte[n * per];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            Path f = files.get(i);
            ImageDecoder.Decoded image = ImageDecoder.decode(f, channels);
            resize(image, size, px, i * per);
            y[i] = labels.get(i);
            digest.update(root.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
            digest.update(px, i * per, per);
        }
        return new ImageArrays(px, y, size, size, channels);
    }

    /** Writes {@code image} resized (bilinear) to size × size into {@code out} at {@code at}. */
    static void resize(ImageDecoder.Decoded image, int size, byte[] out, int at) {
        ImageFiles.resize(image, size, size, out, at);
    }
}
