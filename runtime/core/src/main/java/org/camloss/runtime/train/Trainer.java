package org.camloss.runtime.train;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.camloss.api.CamlossException;
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
 * The training loop: epochs of shuffled mini-batches, one {@linkplain #step step} per batch, evaluation on the test
 * (and validation) split after every epoch, and listener calls throughout. One concrete class; behaviour is added
 * with {@link TrainListener}s.
 *
 * <p>One training step, in order (the classes that do each part; {@code docs/architecture.md} has the whole
 * picture):
 * <ol>
 *   <li>{@link BatchLoader} has read and augmented the batch's images on its thread; {@link Batches} makes the
 *       NHWC feature array [N, H, W, C] and one-hot targets [N, K].</li>
 *   <li>Each {@link Regularizer#apply} transforms the batch (mixup softens the targets).</li>
 *   <li>With distillation, {@link Teacher#labels} runs the frozen teacher on the same batch and appends its signals
 *       to the targets as extra label columns ({@code TeacherColumns}): DL4J's {@code fit} takes one label
 *       array.</li>
 *   <li>{@code ComputationGraph.fit} runs the forward pass through the backbone into the {@code CamHead}, whose
 *       layer ({@code CamHeadLayer.backpropGradient}) computes every term of the {@code Objective} — terms with a
 *       {@code TermKernel} by hand, the rest with SameDiff — and the gradients of their weighted sum; DL4J
 *       backpropagates them through the backbone; the {@code CoupledWeightDecay} listener adds λ·w to every
 *       gradient; the updater ({@code ClassicalMomentum} or Adam, learning rate from the schedule) updates the
 *       parameters.</li>
 *   <li>The head cached the loss and each term while computing gradients, so {@code graph.score()} and
 *       {@code CamHeadLayer.lastTerms()} cost nothing; a loss that is not finite stops the run.</li>
 * </ol>
 */
public final class Trainer {
    /** The default interval of {@link #collectOffHeapGarbage}: 5 s. */
    public static final Duration DEFAULT_GC_INTERVAL = Duration.ofSeconds(5);

    private final CamModel model;
    private final Dataset data;
    private final List<Regularizer> regularizers;
    private final Teacher teacher;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final Evaluator evaluator;
    private final List<TrainListener> listeners;
    private final long gcIntervalNanos;

    /**
     * @param teacher    frozen teacher whose signals ride in the labels after the targets, or null
     * @param gcInterval how often to run {@link System#gc()} during training to free ND4J's native memory
     *                   ({@link #collectOffHeapGarbage}); {@link Duration#ZERO} for never
     */
    public Trainer(
            CamModel model,
            Dataset data,
            List<Regularizer> regularizers,
            Teacher teacher,
            int epochs,
            int batchSize,
            long seed,
            Evaluator evaluator,
            List<TrainListener> listeners,
            Duration gcInterval) {
        this.model = model;
        this.data = data;
        this.regularizers = List.copyOf(regularizers);
        this.teacher = teacher;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        this.evaluator = evaluator;
        this.listeners = List.copyOf(listeners);
        this.gcIntervalNanos = gcInterval.toNanos();
    }

    /**
     * Trains for every epoch.
     *
     * @throws TrainingFailedException    when the loss becomes NaN or infinite, or a plugin fails during a step
     * @throws TrainingCancelledException when the thread is interrupted (checked between steps)
     */
    public RunSummary run() {
        Batches train =
                new Batches(data.train(), data.info().shape(), data.info().numClasses(), batchSize);
        RunInfo info = new RunInfo(
                data.info().name(),
                epochs,
                train.count(),
                data.train().size(),
                data.test().size(),
                model.graph().numParams());
        listeners.forEach(l -> l.onRunStart(info));
        Random rng = new Random(seed ^ 0x5DEECE66DL);
        List<Map<String, Object>> rows = new ArrayList<>();
        long runStart = System.nanoTime();
        double trainSeconds = 0;
        long trainImages = 0;
        try (BatchLoader loader = new BatchLoader(train, data.augmentation())) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                Map<String, Object> row = runEpoch(epoch, train, loader, rng);
                trainSeconds += (Double) row.get("train_seconds");
                trainImages += data.train().size();
                rows.add(row);
            }
        }
        RunSummary summary = new RunSummary(
                List.copyOf(rows), (System.nanoTime() - runStart) / 1e9, trainImages / Math.max(trainSeconds, 1e-9));
        listeners.forEach(l -> l.onRunEnd(summary));
        return summary;
    }

    /** One epoch: every training step in this epoch's order, then the evaluation; returns the metrics row. */
    private Map<String, Object> runEpoch(int epoch, Batches train, BatchLoader loader, Random rng) {
        model.objective().setEpoch(epoch);
        int batches = train.count();
        listeners.forEach(l -> l.onEpochStart(epoch, batches));
        int[] order = train.shuffled(seed, epoch);
        loader.startEpoch(order, new Random(seed * 31 + epoch * 1_000_033L + 17));
        EpochMetrics metrics = new EpochMetrics();
        long lastGc = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new TrainingCancelledException("training interrupted at epoch " + (epoch + 1));
            }
            int[] idx = train.indices(order, b);
            Batch batch = new Batch(train.toArray(loader.take(b), idx.length), train.targets(idx));
            double lr = learningRate(model.graph());
            EpochMetrics.StepResult result = step(batch, idx, epoch, b, rng);
            lastGc = collectOffHeapGarbage(lastGc, gcIntervalNanos);
            metrics.add(result, idx.length);
            BatchStats stats =
                    new BatchStats(epoch, b, batches, result.loss(), result.terms(), lr, metrics.imagesPerSec());
            listeners.forEach(l -> l.onBatchEnd(stats));
        }
        Map<String, Object> row = metrics.row(epoch, learningRate(model.graph()), metrics.seconds());
        if (teacher != null) {
            teacher.takeAccuracy().ifPresent(a -> row.put("train_teacher_accuracy", a));
        }
        evaluate(row);
        EpochStats stats = new EpochStats(epoch + 1, epochs, row);
        listeners.forEach(l -> l.onEpochEnd(stats));
        return row;
    }

    /**
     * One training step (steps 2–5 of the class comment): regularizers, teacher signals, DL4J's {@code fit},
     * and the loss and terms the head computed.
     *
     * @param idx the batch's example indices (for the teacher's cache)
     * @throws TrainingFailedException when the loss is not finite, or a plugin throws during the step
     */
    EpochMetrics.StepResult step(Batch batch, int[] idx, int epoch, int b, Random rng) {
        String where = "epoch " + (epoch + 1) + ", batch " + (b + 1);
        double loss;
        Map<String, Double> terms;
        try {
            for (Regularizer r : regularizers) {
                batch = r.apply(batch, rng);
            }
            if (teacher != null) {
                batch = new Batch(batch.features(), teacher.labels(batch.features(), batch.targets(), idx));
            }
            model.graph().fit(new INDArray[] {batch.features()}, new INDArray[] {batch.targets()});
            loss = model.graph().score();
            terms = model.headLayer().lastTerms();
        } catch (CamlossException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TrainingFailedException("training failed at " + where + ": " + e, e);
        }
        if (!Double.isFinite(loss)) {
            throw new TrainingFailedException("training diverged at " + where + ": the loss is " + loss + " (terms "
                    + terms + "); try a lower learning rate (optimizer.params.lr)");
        }
        return new EpochMetrics.StepResult(loss, terms);
    }

    /** Adds the test metrics ({@code test_*}), validation metrics ({@code val_*}) and {@code eval_seconds}. */
    private void evaluate(Map<String, Object> row) {
        long start = System.nanoTime();
        row.putAll(evaluator.evaluate(model, data.test(), data.info()).metrics("test_"));
        data.validation()
                .ifPresent(v ->
                        row.putAll(evaluator.evaluate(model, v, data.info()).metrics("val_")));
        row.put("eval_seconds", (System.nanoTime() - start) / 1e9);
    }

    /**
     * Every {@code interval} of training, a garbage collection: ND4J frees the native memory behind arrays and op
     * descriptors allocated outside workspaces (each step's input batch, the shape and argument buffers of every
     * native call) only when their Java objects are collected, and the Java heap itself fills too slowly to trigger
     * that. Without it a ResNet-20 run on Fashion-MNIST grew to 24 GB resident and was killed in its fourth epoch;
     * with it ResNet-8 stays near 1 GB (docs/performance.md). A collection of the small heap takes tens of
     * milliseconds, well under 1 % of a 5 s interval. {@link System#gc()} pauses the whole JVM, so the facade makes
     * it a setting.
     *
     * @param interval nanoseconds between collections; 0 for never
     * @return the time of the last collection
     */
    static long collectOffHeapGarbage(long lastGc, long interval) {
        long now = System.nanoTime();
        if (interval <= 0 || now - lastGc < interval) {
            return lastGc;
        }
        System.gc();
        return System.nanoTime();
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
