package org.camloss.api.data;

/** A labelled image dataset with a train and a test split. */
public interface Dataset {
    /** Classes, shape and identity. */
    DatasetInfo info();

    /** Training split. */
    DataSplit train();

    /** Test split. */
    DataSplit test();
}
