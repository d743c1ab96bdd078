package org.camloss.api.data;

/** A labelled image dataset with a train and a test split. */
public interface Dataset {
    /** Classes, shape and identity. */
    DatasetInfo info();

    /** Training split. */
    DataSplit train();

    /** Test split. */
    DataSplit test();

    /** A validation split held out from the training data, if one was asked for. */
    default java.util.Optional<DataSplit> validation() {
        return java.util.Optional.empty();
    }

    /**
     * How 8-bit pixels become this dataset's images, when the dataset normalises per channel; empty by default (then
     * its images cannot be shown as pixels exactly, nor other images normalised like them).
     */
    default java.util.Optional<PixelNormalization> normalization() {
        return java.util.Optional.empty();
    }

    /** Augmentation of training batches; none by default. */
    default Augmentation augmentation() {
        return Augmentation.NONE;
    }
}
