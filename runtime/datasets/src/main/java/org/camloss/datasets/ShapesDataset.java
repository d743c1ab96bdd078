package org.camloss.datasets;

import org.camloss.api.data.Dataset;
import org.camloss.api.data.DatasetInfo;

/**
 * The {@code shapes} dataset: a train and a test split rendered from disjoint seed streams, normalised with
 * per-channel statistics of the train split. Made by {@link ShapesDatasetFactory}.
 */
public final class ShapesDataset implements Dataset {
    private final DatasetInfo info;
    private final ShapesSplit train;
    private final ShapesSplit test;

    ShapesDataset(DatasetInfo info, ShapesSplit train, ShapesSplit test) {
        this.info = info;
        this.train = train;
        this.test = test;
    }

    @Override
    public DatasetInfo info() {
        return info;
    }

    @Override
    public ShapesSplit train() {
        return train;
    }

    @Override
    public ShapesSplit test() {
        return test;
    }
}
