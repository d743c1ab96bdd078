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

    /** Augmentation of training batches; none by default. */
    default Augmentation augmentation() {
        return Augmentation.NONE;
    }
}
