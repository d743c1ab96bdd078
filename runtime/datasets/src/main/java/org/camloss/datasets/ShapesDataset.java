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
    public java.util.Optional<org.camloss.api.data.PixelNormalization> normalization() {
        float[] m = test().channelMean();
        float[] sd = test().channelStd();
        double[] mean = new double[m.length];
        double[] std = new double[sd.length];
        for (int c = 0; c < m.length; c++) {
            mean[c] = m[c];
            std[c] = sd[c];
        }
        return java.util.Optional.of(new org.camloss.api.data.PixelNormalization(mean, std));
    }

    @Override
    public ShapesSplit test() {
        return test;
    }
}
