package org.camloss.cli.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.DatasetFactory;
import org.camloss.api.Params;
import org.camloss.api.UserException;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The batch a benchmark trains on: the first {@code batch} training images of a real dataset, normalised as
 * training normalises them, or N(0,1) noise.
 *
 * <p>Sources ({@code --data}): {@code fashion-mnist} (28×28×1 only; needs {@code apt-get install
 * dataset-fashion-mnist}), {@code shapes} (square RGB images of side 16–256, generated), {@code random} (N(0,1),
 * labels {@code i mod 10}; PyTorch's step is about 1.3× faster on a real batch than on noise, measured in
 * docs/performance.md, so noise understates both frameworks unequally), and {@code auto}: Fashion-MNIST when
 * installed and the input is 28×28×1, else shapes when the input is square RGB, else random.
 *
 * @param x      images, {@code [batch, height, width, channels]} (NHWC), float32
 * @param labels class indices in [0, 10), one per image
 * @param source what the batch is, e.g. {@code fashion-mnist train[0:128]}
 */
public record BenchBatch(INDArray x, int[] labels, String source) {
    /** The valid {@code --data} values. */
    public static final List<String> SOURCES = List.of("auto", "fashion-mnist", "shapes", "random");

    /**
     * Resolves the batch for a case.
     *
     * @throws UserException naming {@code --data} when the source is unknown, does not fit the case's input or
     *                       cannot be loaded
     */
    public static BenchBatch of(PluginRegistry registry, String data, BenchCase c) {
        if (!SOURCES.contains(data)) {
            throw new UserException("--data: unknown source '" + data + "'; valid: " + String.join(", ", SOURCES));
        }
        boolean fmnistShape = c.height() == 28 && c.width() == 28 && c.channels() == 1;
        boolean shapesShape = c.height() == c.width() && c.channels() == 3 && c.height() >= 16 && c.height() <= 256;
        if (data.equals("auto")) {
            if (fmnistShape) {
                try {
                    return dataset(registry, "fashion-mnist", Map.of(), c);
                } catch (UserException notInstalled) {
                    // fall through: shapes cannot make 1-channel images, so noise it is
                    return random(c);
                }
            }
            return shapesShape
                    ? dataset(registry, "shapes", Map.of("size", c.height(), "train", c.batch()), c)
                    : random(c);
        }
        switch (data) {
            case "random":
                return random(c);
            case "fashion-mnist":
                if (!fmnistShape) {
                    throw new UserException("--data fashion-mnist: its images are 28x28x1, the case's input is "
                            + c.input() + "; use --input 28x28x1, or --data shapes|random");
                }
                return dataset(registry, "fashion-mnist", Map.of(), c);
            default:
                if (!shapesShape) {
                    throw new UserException(
                            "--data shapes: makes square RGB images of side 16-256, the case's input is " + c.input()
                                    + "; use --data random for other inputs");
                }
                return dataset(registry, "shapes", Map.of("size", c.height(), "train", c.batch()), c);
        }
    }

    /** N(0,1) images from seed 2, labels {@code i mod 10}. */
    static BenchBatch random(BenchCase c) {
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.FLOAT, c.batch(), c.height(), c.width(), c.channels());
        int[] labels = new int[c.batch()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        return new BenchBatch(x, labels, "random N(0,1), seed 2");
    }

    private static BenchBatch dataset(PluginRegistry registry, String id, Map<String, Object> params, BenchCase c) {
        DatasetFactory f = registry.find(PluginKind.DATASET, id)
                .orElseThrow(() -> new UserException("--data " + id + ": no dataset plugin with that id"));
        Dataset d;
        try {
            d = f.create(Params.resolve(f.params(), new LinkedHashMap<>(params)));
        } catch (IllegalArgumentException e) {
            throw new UserException("--data " + id + ": " + e.getMessage(), e);
        }
        DataSplit train = d.train();
        if (train.size() < c.batch()) {
            throw new UserException(
                    "--data " + id + ": " + train.size() + " training images, fewer than --batch " + c.batch());
        }
        int per = c.height() * c.width() * c.channels();
        float[] pixels = new float[c.batch() * per];
        int[] labels = new int[c.batch()];
        for (int i = 0; i < c.batch(); i++) {
            train.image(i, pixels, i * per);
            labels[i] = train.label(i) % 10;
        }
        INDArray x = Nd4j.create(pixels, new long[] {c.batch(), c.height(), c.width(), c.channels()}, 'c');
        return new BenchBatch(x, labels, id + " train[0:" + c.batch() + "]");
    }

    /** One-hot labels, {@code [batch, 10]}. */
    public INDArray oneHot() {
        INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, 10);
        for (int i = 0; i < labels.length; i++) {
            y.putScalar(i, labels[i], 1.0);
        }
        return y;
    }

    /** Labels as a float vector (for {@code .npy}). */
    public INDArray labelVector() {
        float[] v = new float[labels.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = labels[i];
        }
        return Nd4j.createFromArray(v);
    }
}
