package org.camloss.datasets;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.camloss.api.DatasetFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.UserException;
import org.camloss.api.data.Dataset;

/**
 * {@code image-folder}: {@code DIR/train/<class>/*.png|jpg} and {@code DIR/test/<class>/...}, one
 * sub-folder per class; classes in sorted name order, images resized (bilinear) to {@code size}×{@code size}.
 */
public final class ImageFolderDatasetFactory implements DatasetFactory {
    @Override
    public String id() {
        return "image-folder";
    }

    @Override
    public String description() {
        return "PNG/JPEG files in DIR/train/<class>/ and DIR/test/<class>/, classes in sorted order, resized to size x size.";
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
                        d + ": does not exist; image-folder expects DIR/train/<class>/ and " + "DIR/test/<class>/");
            }
        }
        List<String> classes = classes(trainDir, 2);
        List<String> testClasses = classes(testDir, 1);
        if (!classes.containsAll(testClasses)) {
            List<String> extra = new ArrayList<>(testClasses);
            extra.removeAll(classes);
            throw new UserException(
                    testDir + ": class folders " + extra + " have no training folder; classes are " + classes);
        }
        int size = p.getInt("size");
        int channels = p.getString("color").equals("rgb") ? 3 : 1;
        MessageDigest digest = Fingerprints.sha256();
        ImageArrays tr = read(trainDir, classes, size, channels, p.getInt("train_limit"), digest);
        ImageArrays te = read(testDir, classes, size, channels, p.getInt("test_limit"), digest);
        return new ArrayDataset(
                "image-folder(" + dir + ", " + size + "x" + size + ", train=" + tr.size() + ", test=" + te.size() + ")",
                classes,
                tr,
                te,
                p,
                Fingerprints.finish(digest, id(), p.asMap()));
    }

    private static List<String> classes(Path dir, int atLeast) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.filter(Files::isDirectory)
                    .map(x -> x.getFileName().toString())
                    .sorted()
                    .toList();
            if (names.size() < atLeast) {
                throw new UserException(dir + ": needs at least " + atLeast + " class folder"
                        + (atLeast == 1 ? "" : "s") + ", found " + names);
            }
            return names;
        } catch (IOException e) {
            throw new UserException(dir + ": cannot be listed (" + e.getMessage() + ")");
        }
    }

    private static ImageArrays read(
            Path root, List<String> classes, int size, int channels, int limit, MessageDigest digest) {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            Path cdir = root.resolve(classes.get(k));
            if (!Files.isDirectory(cdir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(cdir)) {
                List<Path> imgs = s.filter(f -> {
                            String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                            return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
                        })
                        .sorted()
                        .toList();
                for (Path f : imgs) {
                    files.add(f);
                    labels.add(k);
                }
            } catch (IOException e) {
                throw new UserException(cdir + ": cannot be listed (" + e.getMessage() + ")");
            }
        }
        if (files.isEmpty()) {
            throw new UserException(root + ": no .png/.jpg/.jpeg images in its class folders");
        }
        int n = limit > 0 ? Math.min(limit, files.size()) : files.size();
        int per = size * size * channels;
        byte[] px = new byte[n * per];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            Path f = files.get(i);
            BufferedImage img;
            try {
                img = ImageIO.read(f.toFile());
            } catch (IOException e) {
                throw new UserException(f + ": unreadable image (" + e.getMessage() + ")");
            }
            if (img == null) {
                throw new UserException(f + ": unreadable image (not a PNG or JPEG ImageIO can decode)");
            }
            BufferedImage scaled = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, size, size, null);
            g.dispose();
            int base = i * per;
            for (int r = 0; r < size; r++) {
                for (int c = 0; c < size; c++) {
                    int rgb = scaled.getRGB(c, r);
                    int red = (rgb >> 16) & 0xFF;
                    int green = (rgb >> 8) & 0xFF;
                    int blue = rgb & 0xFF;
                    int at = base + (r * size + c) * channels;
                    if (channels == 3) {
                        px[at] = (byte) red;
                        px[at + 1] = (byte) green;
                        px[at + 2] = (byte) blue;
                    } else {
                        px[at] = (byte) Math.round(0.299 * red + 0.587 * green + 0.114 * blue);
                    }
                }
            }
            y[i] = labels.get(i);
            digest.update(root.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(px, base, per);
        }
        return new ImageArrays(px, y, size, size, channels);
    }
}
