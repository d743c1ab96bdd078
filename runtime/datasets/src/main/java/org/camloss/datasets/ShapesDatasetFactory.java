package org.camloss.datasets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.camloss.api.DatasetFactory;
import org.camloss.api.InputShape;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.data.Dataset;
import org.camloss.api.data.DatasetInfo;

/**
 * The built-in {@code shapes} dataset: small RGB images, each with one solid target shape whose class is the
 * label, placed at a random position and size among thin distractor marks over background clutter, with the
 * target's pixel mask for localization metrics.
 *
 * <p>Everything is generated in memory from the dataset's own {@code seed}, independent of the training seed.
 * Classes, in label order, are the first {@code classes} of {@link #ALL_CLASSES}.
 */
public final class ShapesDatasetFactory implements DatasetFactory {
    /** The plugin id. */
    public static final String ID = "shapes";

    /** Every class name, in label order. */
    public static final List<String> ALL_CLASSES = ShapesGenerator.CLASS_NAMES;

    /** Train examples whose pixels give the normalisation statistics (the first ones of the train split). */
    static final int STATS_SAMPLE = 4096;

    /** Smallest target side, in pixels, that {@code min_scale · size} may give. */
    static final double MIN_TARGET_PIXELS = 4.0;

    private static final long TRAIN_STREAM = 1;
    private static final long TEST_STREAM = 2;

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public ShapesDatasetFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Synthetic shapes among distractors over clutter, with target masks, generated in memory from a seed.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofInt(
                        "classes",
                        4,
                        2,
                        ALL_CLASSES.size(),
                        "Number of classes, taken in order from " + String.join(", ", ALL_CLASSES) + "."),
                ParamSpec.ofInt("train", 5000, 1, 1_000_000, "Number of training examples."),
                ParamSpec.ofInt("test", 1000, 1, 1_000_000, "Number of test examples."),
                ParamSpec.ofInt("size", 32, 16, 256, "Image side in pixels."),
                ParamSpec.ofInt(
                        "distractors",
                        2,
                        0,
                        10,
                        "Largest number of distractor marks per image (each image draws 0 to this many)."),
                ParamSpec.ofDouble(
                        "clutter", 0.3, 0.0, 1.0, "Background clutter and pixel noise level, 0 for a flat background."),
                ParamSpec.ofDouble("min_scale", 0.3, 0.1, 1.0, "Smallest target size as a fraction of the image side."),
                ParamSpec.ofDouble("max_scale", 0.6, 0.1, 1.0, "Largest target size as a fraction of the image side."),
                ParamSpec.ofInt(
                        "seed",
                        0,
                        0,
                        Integer.MAX_VALUE,
                        "The dataset's own seed, so the data is the same whatever the training seed."));
    }

    /** {@code min_scale <= max_scale}, and {@code min_scale * size} large enough for a visible target. */
    @Override
    public List<ParamProblem> validate(Params p) {
        double minScale = p.getDouble("min_scale");
        double maxScale = p.getDouble("max_scale");
        int size = p.getInt("size");
        List<ParamProblem> problems = new java.util.ArrayList<>();
        if (minScale > maxScale) {
            problems.add(new ParamProblem(
                    "", "min_scale must be <= max_scale, found min_scale=" + minScale + " > max_scale=" + maxScale));
        }
        if (minScale * size < MIN_TARGET_PIXELS) {
            problems.add(new ParamProblem(
                    "",
                    String.format(
                            Locale.ROOT,
                            "min_scale * size must be at least %.0f pixels so the target is visible, found %s * %d = %s",
                            MIN_TARGET_PIXELS,
                            minScale,
                            size,
                            minScale * size)));
        }
        return problems;
    }

    @Override
    public Dataset create(Params params) {
        Params p = Params.resolve(params(), params.asMap());
        int classes = p.getInt("classes");
        int train = p.getInt("train");
        int test = p.getInt("test");
        int size = p.getInt("size");
        int distractors = p.getInt("distractors");
        double clutter = p.getDouble("clutter");
        double minScale = p.getDouble("min_scale");
        double maxScale = p.getDouble("max_scale");
        int seed = p.getInt("seed");
        ParamProblem.throwIfAny(validate(p));

        ShapesGenerator generator = new ShapesGenerator(size, classes, distractors, clutter, minScale, maxScale);
        ShapesSplit rawTrain = ShapesSplit.generate(generator, splitSeed(seed, TRAIN_STREAM), train);
        ShapesSplit rawTest = ShapesSplit.generate(generator, splitSeed(seed, TEST_STREAM), test);
        float[][] stats = channelStats(rawTrain);

        String canonical = "classes=" + classes + ",clutter=" + clutter + ",distractors=" + distractors
                + ",max_scale=" + maxScale + ",min_scale=" + minScale + ",seed=" + seed + ",size=" + size
                + ",test=" + test + ",train=" + train;
        DatasetInfo info = new DatasetInfo(
                ID + "(classes=" + classes + ",size=" + size + ",seed=" + seed + ")",
                ALL_CLASSES.subList(0, classes),
                new InputShape(3, size, size),
                sha256Hex(ShapesGenerator.VERSION + ";" + canonical));
        return new ShapesDataset(
                info, rawTrain.normalizedWith(stats[0], stats[1]), rawTest.normalizedWith(stats[0], stats[1]));
    }

    /** Per-channel mean and standard deviation of the first {@link #STATS_SAMPLE} train images, in [0, 1] units. */
    private static float[][] channelStats(ShapesSplit train) {
        long[][] hist = train.byteHistogram(Math.min(train.size(), STATS_SAMPLE));
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            double count = 0;
            double sum = 0;
            double sumSq = 0;
            for (int b = 0; b < 256; b++) {
                double v = b / 255.0;
                count += hist[c][b];
                sum += hist[c][b] * v;
                sumSq += hist[c][b] * v * v;
            }
            double m = sum / count;
            mean[c] = (float) m;
            std[c] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, sumSq / count - m * m)));
        }
        return new float[][] {mean, std};
    }

    /** The seed of one split's stream; train and test streams never share an example seed in practice. */
    static long splitSeed(int datasetSeed, long stream) {
        return mix(mix(datasetSeed ^ 0x5348415045535631L) + stream * 0xD1B54A32D192ED03L);
    }

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
