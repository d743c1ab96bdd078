package org.camloss.datasets;

import java.util.List;
import org.camloss.api.ParamSpec;

/**
 * {@code fashion-mnist}: Zalando's Fashion-MNIST from the four gzip IDX files, by default where Debian's
 * {@code dataset-fashion-mnist} package installs them.
 */
public final class FashionMnistDatasetFactory extends IdxDatasetFactory {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

    private static final List<String> CLASSES = List.of(
            "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    @Override
    public String id() {
        return "fashion-mnist";
    }

    @Override
    public String description() {
        return "Fashion-MNIST (60,000 + 10,000 grey 28x28 images, 10 classes) from local IDX files; "
                + "apt-get install dataset-fashion-mnist provides them.";
    }

    @Override
    public List<ParamSpec> params() {
        return DataParams.with(fileParams(DEBIAN_DIR, "train", "t10k", 10));
    }

    @Override
    protected List<String> classNames(int k) {
        return k == CLASSES.size() ? CLASSES : super.classNames(k);
    }
}
