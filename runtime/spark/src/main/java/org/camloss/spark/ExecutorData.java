package org.camloss.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.camloss.api.data.Dataset;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.train.Batches;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns minibatches of training indices into DataSets on an executor, reading the images from the config's dataset
 * plugin made in that executor's JVM; augmentation as configured, each minibatch with its own generator.
 */
final class ExecutorData implements FlatMapFunction<Iterator<ExecutorData.Chunk>, DataSet>, Serializable {
    private static final long serialVersionUID = 1L;

    /** One minibatch: its number within the epoch and its training indices. */
    record Chunk(int batch, int[] indices) implements Serializable {}

    private final Specs data;
    private final long seed;
    private final int epoch;

    ExecutorData(Specs data, long seed, int epoch) {
        this.data = data;
        this.seed = seed;
        this.epoch = epoch;
    }

    @Override
    public Iterator<DataSet> call(Iterator<Chunk> chunks) {
        Dataset dataset = DatasetCache.get(data, () -> Plugins.make(PluginKind.DATASET, data));
        int classes = dataset.info().numClasses();
        Batches batches = new Batches(dataset.train(), dataset.info().shape(), classes, Integer.MAX_VALUE);
        List<DataSet> out = new ArrayList<>();
        while (chunks.hasNext()) {
            Chunk c = chunks.next();
            float[] pixels = batches.pixels(c.indices());
            batches.augment(
                    pixels,
                    c.indices().length,
                    dataset.augmentation(),
                    new Random(seed * 1_000_003L + epoch * 65_537L + c.batch()));
            INDArray images = batches.toArray(pixels, c.indices().length);
            INDArray targets = Nd4j.zeros(images.dataType(), c.indices().length, classes);
            for (int i = 0; i < c.indices().length; i++) {
                targets.putScalar(i, dataset.train().label(c.indices()[i]), 1.0);
            }
            out.add(new DataSet(images, targets));
        }
        return out.iterator();
    }
}
