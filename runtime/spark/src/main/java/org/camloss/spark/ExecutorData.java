package org.camloss.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.camloss.api.Regularizer;
import org.camloss.api.data.Batch;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.camloss.api.data.RegionalTargets;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.train.Batches;
import org.camloss.runtime.train.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns minibatches of training indices into DataSets on an executor, reading the images from the config's dataset
 * plugin made in that executor's JVM; then, as the single-process trainer's step does, the dataset's augmentation and
 * the config's regularizers' batch transforms (mixup, cutmix, cutout, random erasing, label smoothing), each minibatch
 * drawing from the trainer's streams for its seed, epoch and number ({@code Seeds}); the distillation teacher's
 * signals ({@link ExecutorTeacher}); and the head's labels: the targets [N, K], followed by the teacher's columns or by
 * every feature-map cell's target [N, h·w·K] when a regularizer sets per-pixel targets (as {@code CamModel.labels}).
 */
final class ExecutorData implements FlatMapFunction<Iterator<ExecutorData.Chunk>, DataSet>, Serializable {
    private static final long serialVersionUID = 1L;

    /** One minibatch: its number within the epoch and its training indices. */
    record Chunk(int batch, int[] indices) implements Serializable {}

    private final Specs data;
    private final List<Specs> regularizers;
    /** The head's feature-map size {h, w} for per-cell targets, or null when no regularizer sets them. */
    private final int[] pixelGrid;

    private final long seed;
    private final int epoch;

    /** The teacher whose signals follow the targets in the labels, or null without distillation. */
    private final ExecutorTeacher teacher;

    /** Minibatches without regularizers or teacher. */
    ExecutorData(Specs data, long seed, int epoch) {
        this(data, List.of(), null, null, seed, epoch);
    }

    /**
     * @param regularizers the config's regularizer nodes, applied in order to every minibatch
     * @param pixelGrid    the driver's objective's feature-map size for per-cell targets, or null when it has none
     * @param teacher      the distillation teacher, run on every minibatch after the regularizers, or null
     */
    ExecutorData(Specs data, List<Specs> regularizers, int[] pixelGrid, ExecutorTeacher teacher, long seed, int epoch) {
        this.data = data;
        this.regularizers = List.copyOf(regularizers);
        this.pixelGrid = pixelGrid == null ? null : pixelGrid.clone();
        this.teacher = teacher;
        this.seed = seed;
        this.epoch = epoch;
    }

    /**
     * Why the executors cannot make the partitions of {@code driver} from the config's {@code data} node, or empty: the
     * dataset plugin, made again from the node as each executor makes it, must give the same training split (labels
     * and pixels, compared by SHA-256), otherwise the index lists the driver sends would select other images. Costs
     * one more read or generation of the dataset on the driver; the copy is dropped.
     *
     * @param node   the config's {@code data} node
     * @param driver the dataset the driver made from it
     */
    static java.util.Optional<String> rebuildProblem(org.camloss.runtime.config.PluginSpec node, Dataset driver) {
        Dataset again;
        try {
            again = Plugins.make(PluginKind.DATASET, Specs.of(node));
        } catch (RuntimeException e) {
            return java.util.Optional.of("data: the dataset plugin '" + node.id() + "' could not be made a second time "
                    + "from the data node, as every executor makes it (" + e.getMessage() + ")");
        }
        String a = trainDigest(driver);
        String b = trainDigest(again);
        if (a.equals(b)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("data: the dataset plugin '" + node.id() + "' gives another training split each "
                + "time it is made from the same data node (SHA-256 of labels and pixels " + a.substring(0, 12)
                + " then " + b.substring(0, 12) + "), so the executors, which make it again, cannot be sent index "
                + "lists; use a dataset that is the same for the same node (a seed parameter, files) or no engine "
                + "section");
    }

    /** SHA-256 (hex) of the training split's size, shape, labels and pixels. */
    static String trainDigest(Dataset dataset) {
        DataSplit train = dataset.train();
        var shape = dataset.info().shape();
        int pixels = shape.channels() * shape.height() * shape.width();
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * (pixels + 1));
        float[] image = new float[pixels];
        buf.putInt(train.size()).putInt(shape.channels()).putInt(shape.height()).putInt(shape.width());
        md.update(buf.array(), 0, 16);
        for (int i = 0; i < train.size(); i++) {
            train.image(i, image, 0);
            buf.clear();
            buf.putInt(train.label(i));
            buf.asFloatBuffer().put(image);
            md.update(buf.array());
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    @Override
    public Iterator<DataSet> call(Iterator<Chunk> chunks) {
        Dataset dataset = DatasetCache.get(data, () -> Plugins.make(PluginKind.DATASET, data));
        int classes = dataset.info().numClasses();
        Batches batches = new Batches(dataset.train(), dataset.info().shape(), classes, Integer.MAX_VALUE);
        List<Regularizer> regs = new ArrayList<>();
        for (Specs r : regularizers) {
            regs.add(Plugins.make(PluginKind.REGULARIZER, r));
        }
        List<DataSet> out = new ArrayList<>();
        while (chunks.hasNext()) {
            Chunk c = chunks.next();
            float[] pixels = batches.pixels(c.indices());
            batches.augment(
                    pixels,
                    c.indices().length,
                    dataset.augmentation(),
                    new Random(Seeds.of(seed, epoch, c.batch(), Seeds.AUGMENTATION)));
            INDArray images = batches.toArray(pixels, c.indices().length);
            INDArray targets = Nd4j.zeros(images.dataType(), c.indices().length, classes);
            for (int i = 0; i < c.indices().length; i++) {
                targets.putScalar(i, dataset.train().label(c.indices()[i]), 1.0);
            }
            Batch batch = new Batch(images, targets);
            Random rng = new Random(Seeds.of(seed, epoch, c.batch(), Seeds.REGULARIZERS));
            for (Regularizer r : regs) {
                batch = r.apply(batch, rng);
            }
            if (teacher != null) {
                batch = new Batch(
                        batch.features(), teacher.teacher(dataset.info()).labels(batch.features(), batch.targets()));
            }
            out.add(new DataSet(batch.features(), labels(batch)));
        }
        return out.iterator();
    }

    /** The head's label array of {@code batch}: as {@code CamModel.labels(Batch)} with the driver's grid. */
    private INDArray labels(Batch batch) {
        INDArray targets = batch.targets();
        if (pixelGrid == null) {
            return targets;
        }
        RegionalTargets regions = batch.regional().orElseGet(() -> RegionalTargets.uniform(targets, 1, 1));
        INDArray cells = regions.onGrid(pixelGrid[0], pixelGrid[1]).castTo(targets.dataType());
        return Nd4j.hstack(targets, cells.reshape('c', cells.size(0), cells.size(1) * cells.size(2)));
    }
}
