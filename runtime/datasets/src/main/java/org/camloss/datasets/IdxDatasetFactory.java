package org.camloss.datasets;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.camloss.api.DatasetFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.data.Dataset;

/**
 * {@code idx}: any dataset in IDX files (gzip or raw), with the file names as parameters; and the base of
 * {@code fashion-mnist}.
 */
public class IdxDatasetFactory implements DatasetFactory {
    @Override
    public String id() {
        return "idx";
    }

    @Override
    public String description() {
        return "Grey images and labels in IDX files (the MNIST format), gzip or raw, from a local directory.";
    }

    /** Parameters naming the directory and files, defaults as given. */
    protected static List<ParamSpec> fileParams(String dir, String prefixTrain, String prefixTest, int classes) {
        return List.of(
                ParamSpec.ofString("dir", dir, "Directory holding the four IDX files."),
                ParamSpec.ofString("train_images", prefixTrain + "-images-idx3-ubyte.gz", "Training images file."),
                ParamSpec.ofString("train_labels", prefixTrain + "-labels-idx1-ubyte.gz", "Training labels file."),
                ParamSpec.ofString("test_images", prefixTest + "-images-idx3-ubyte.gz", "Test images file."),
                ParamSpec.ofString("test_labels", prefixTest + "-labels-idx1-ubyte.gz", "Test labels file."),
                ParamSpec.ofInt("classes", classes, 2, 256, "Number of classes; labels must be below it."));
    }

    @Override
    public List<ParamSpec> params() {
        return DataParams.with(fileParams("data", "train", "t10k", 10));
    }

    /** Class names for {@code k} classes. */
    protected List<String> classNames(int k) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            names.add(Integer.toString(i));
        }
        return names;
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
        int k = p.getInt("classes");
        MessageDigest digest = Fingerprints.sha256();
        ImageArrays train = IdxReader.read(
                dir.resolve(p.getString("train_images")),
                dir.resolve(p.getString("train_labels")),
                p.getInt("train_limit"),
                k,
                digest);
        ImageArrays test = IdxReader.read(
                dir.resolve(p.getString("test_images")),
                dir.resolve(p.getString("test_labels")),
                p.getInt("test_limit"),
                k,
                digest);
        if (train.height() != test.height() || train.width() != test.width()) {
            throw new org.camloss.api.UserException(dir.resolve(p.getString("test_images")) + ": images are "
                    + test.height() + "x" + test.width() + " but the training images are " + train.height() + "x"
                    + train.width());
        }
        String fp = Fingerprints.finish(digest, id(), p.asMap());
        String name = id() + "(" + dir + ", train=" + train.size() + ", test=" + test.size() + ")";
        return new ArrayDataset(name, classNames(k), train, test, p, fp);
    }
}
