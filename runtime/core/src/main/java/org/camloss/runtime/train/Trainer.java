package org.camloss.runtime.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.camloss.api.Regularizer;
import org.camloss.api.data.Batch;
import org.camloss.api.data.Dataset;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.distill.Teacher;
import org.camloss.runtime.eval.Evaluator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop: epochs of shuffled mini-batches, regularizer batch transforms, one DL4J step per
 * batch, evaluation on the test split after every epoch, and listener calls throughout. One concrete
 * class; behaviour is added with {@link TrainListener}s.
 */
public final class Trainer {
    private final CamModel model;
    private final Dataset data;
    private final List<Regularizer> regularizers;
    private final Teacher teacher;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final Evaluator evaluator;
    private final List<TrainListener> listeners;
    /** Interval of {@link #collectOffHeapGarbage}: 5 s. */
    static final long GC_INTERVAL_NANOS = 5_000_000_000L;

    /**
     * @param teacher frozen teacher whose signals ride in the labels after the targets, or null
     */
    public Trainer(CamModel model, Dataset data, List<Regularizer> regularizers, Teacher teacher, int epochs,
                   int batchSize, long seed, Evaluator evaluator, List<TrainListener> listeners) {
        this.model = model;
        this.data = data;
        this.regularizers = List.copyOf(regularizers);
        this.teacher = teacher;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        this.evaluator = evaluator;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Trains for every epoch.
     *
     * @throws TrainingFailedException when the loss becomes NaN or infinite
     * @throws TrainingCancelledException when the thread is interrupted (checked between steps)
     */
    public RunSummary run() {
        ComputationGraph graph = model.graph();
        Batches train = new Batches(data.train(), data.info().shape(), data.info().numClasses(), batchSize);
        int batches = train.count();
        RunInfo info = new RunInfo(data.info().name(), epochs, batches, data.train().size(), data.test().size(),
                graph.numParams());
        listeners.forEach(l -> l.onRunStart(info));
        Random rng = new Random(seed ^ 0x5DEECE66DL);
        List<Map<String, Object>> rows = new ArrayList<>();
        long runStart = System.nanoTime();
        double trainSeconds = 0;
        long trainImages = 0;
        ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "camloss-batch-loader");
            t.setDaemon(true);
            return t;
        });
        try {
            long lastGc = System.nanoTime();
            for (int epoch = 0; epoch < epochs; epoch++) {
                model.objective().setEpoch(epoch);
                final int e = epoch;
                listeners.forEach(l -> l.onEpochStart(e, batches));
                int[] order = train.shuffled(seed, epoch);
                Random augRng = new Random(seed * 31 + epoch * 1_000_033L + 17);
                double lossSum = 0;
                Map<String, Double> termSums = new LinkedHashMap<>();
                long seen = 0;
                long epochStart = System.nanoTime();
                Future<float[]> next = loader.submit(() -> load(train, order, 0, augRng));
                for (int b = 0; b < batches; b++) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new TrainingCancelledException("training interrupted at epoch " + (epoch + 1));
                    }
                    int[] idx = train.indices(order, b);
                    float[] pixels = await(next);
                    if (b + 1 < batches) {
                        int nb = b + 1;
                        next = loader.submit(() -> load(train, order, nb, augRng));
                    }
                    Batch batch = new Batch(train.toArray(pixels, idx.length), train.targets(idx));
                    for (Regularizer r : regularizers) {
                        batch = r.apply(batch, rng);
                    }
                    if (teacher != null) {
                        batch = new Batch(batch.features(), teacher.labels(batch.features(), batch.targets(), idx));
                    }
                    double lr = learningRate(graph);
                    graph.fit(new INDArray[] {batch.features()}, new INDArray[] {batch.targets()});
                    double loss = graph.score();
                    lastGc = collectOffHeapGarbage(lastGc);
                    if (!Double.isFinite(loss)) {
                        throw new TrainingFailedException("training diverged at epoch " + (epoch + 1) + ", batch "
                                + (b + 1) + ": the loss is " + loss + "; try a lower learning rate (optimizer.params.lr)");
                    }
                    Map<String, Double> terms = model.headLayer().lastTerms();
                    lossSum += loss * idx.length;
                    terms.forEach((k, v) -> termSums.merge(k, v * idx.length, Double::sum));
                    seen += idx.length;
                    double elapsed = (System.nanoTime() - epochStart) / 1e9;
                    BatchStats stats = new BatchStats(epoch, b, batches, loss, terms, lr, seen / Math.max(elapsed, 1e-9));
                    listeners.forEach(l -> l.onBatchEnd(stats));
                }
                double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
                trainSeconds += epochSeconds;
                trainImages += seen;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("epoch", epoch + 1);
                row.put("train_loss", lossSum / seen);
                for (Map.Entry<String, Double> t : termSums.entrySet()) {
                    row.put("train_" + t.getKey(), t.getValue() / seen);
                }
                row.put("lr", learningRate(graph));
                row.put("images_per_sec", seen / epochSeconds);
                row.put("train_seconds", epochSeconds);
                long evalStart = System.nanoTime();
                Map<String, Object> eval = evaluator.evaluate(model, data.test(), data.info()).metrics("test_");
                row.putAll(eval);
                data.validation().ifPresent(v -> row.putAll(evaluator.evaluate(model, v, data.info()).metrics("val_")));
                row.put("eval_seconds", (System.nanoTime() - evalStart) / 1e9);
                rows.add(row);
                EpochStats stats = new EpochStats(epoch + 1, epochs, row);
                listeners.forEach(l -> l.onEpochEnd(stats));
            }
        } finally {
            loader.shutdownNow();
        }
        RunSummary summary = new RunSummary(List.copyOf(rows), (System.nanoTime() - runStart) / 1e9,
                trainImages / Math.max(trainSeconds, 1e-9));
        listeners.forEach(l -> l.onRunEnd(summary));
        return summary;
    }

    /**
     * Every {@link #GC_INTERVAL_NANOS} of training, a garbage collection: ND4J frees the native memory behind
     * arrays and op descriptors allocated outside workspaces (each step's input batch, the shape and argument
     * buffers of every native call) only when their Java objects are collected, and the Java heap itself
     * fills too slowly to trigger that. Without it a ResNet-20 run on Fashion-MNIST grew to 24 GB resident and
     * was killed in its fourth epoch; with it ResNet-8 stays near 1 GB (docs/performance.md). A collection of
     * the small heap takes tens of milliseconds, well under 1 % of the interval.
     *
     * @return the time of the last collection
     */
    static long collectOffHeapGarbage(long lastGc) {
        long now = System.nanoTime();
        if (now - lastGc < GC_INTERVAL_NANOS) {
            return lastGc;
        }
        System.gc();
        return System.nanoTime();
    }

    /** Loads (and augments) batch {@code b} of {@code order}; runs on the loader thread, in batch order. */
    private float[] load(Batches train, int[] order, int b, Random augRng) {
        int[] idx = train.indices(order, b);
        float[] pixels = train.pixels(idx);
        train.augment(pixels, idx.length, data.augmentation(), augRng);
        return pixels;
    }

    private static float[] await(Future<float[]> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingCancelledException("interrupted while loading a batch");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("loading a batch failed", e.getCause());
        }
    }

    /** The learning rate the next step uses. */
    static double learningRate(ComputationGraph graph) {
        int it = graph.getConfiguration().getIterationCount();
        int ep = graph.getConfiguration().getEpochCount();
        for (Layer layer : graph.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer bl && bl.getIUpdater() != null) {
                return bl.getIUpdater().getLearningRate(it, ep);
            }
        }
        return Double.NaN;
    }
}
