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
import org.camloss.runtime.config.TrainSpec;
import org.camloss.runtime.distill.Teacher;
import org.camloss.runtime.eval.Evaluator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
    /** How often the run tells its store it is alive: every 30 s. */
    static final long HEARTBEAT_NANOS = 30_000_000_000L;

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
    private final TrainSpec spec;
    private final RunStore store;
    /** Where each epoch's steps run instead of this loop, or null (see {@link #onEngine}). */
    private org.camloss.runtime.engine.TrainingEngine engine;

    /**
     * @param teacher    frozen teacher whose signals ride in the labels after the targets, or null
     * @param spec       epochs, batch size, checkpoint cadence, divergence rule, early stopping
     * @param store      where checkpoints, the best model and the heartbeat go
     * @param gcInterval how often to run {@link System#gc()} during training to free ND4J's native memory
     *                   ({@link #collectOffHeapGarbage}); {@link Duration#ZERO} for never
     */
    public Trainer(
            CamModel model,
            Dataset data,
            List<Regularizer> regularizers,
            Teacher teacher,
            TrainSpec spec,
            long seed,
            Evaluator evaluator,
            List<TrainListener> listeners,
            RunStore store,
            Duration gcInterval) {
        this.model = model;
        this.data = data;
        this.regularizers = List.copyOf(regularizers);
        this.teacher = teacher;
        this.spec = spec;
        this.epochs = spec.epochs();
        this.batchSize = spec.batchSize();
        this.seed = seed;
        this.evaluator = evaluator;
        this.listeners = List.copyOf(listeners);
        this.store = store;
        this.gcIntervalNanos = gcInterval.toNanos();
    }

    /**
     * Trains for every epoch from the start.
     *
     * @throws TrainingFailedException    when the run diverges ({@link #divergence}) or a plugin fails during a step
     * @throws TrainingCancelledException when the thread is interrupted (checked between steps); a checkpoint of the
     *                                    last finished step is saved first, and the thread's interrupt status is
     *                                    cleared (the exception reports it, as an InterruptedException would)
     */
    public RunSummary run() {
        return run(TrainState.fresh(), List.of());
    }

    /**
     * Lets {@code engine} take every epoch's training steps (the config's {@code engine} section), keeping this loop's
     * evaluation, metrics rows, checkpoints, early stopping and listeners. Per-batch events and interval checkpoints
     * do not happen then: the engine trains an epoch as one job.
     *
     * @return this trainer
     */
    public Trainer onEngine(org.camloss.runtime.engine.TrainingEngine engine) {
        this.engine = java.util.Objects.requireNonNull(engine, "engine");
        return this;
    }

    /**
     * Trains from {@code start} (a checkpoint's state) to the last epoch, or until early stopping says so.
     *
     * @param earlier the metrics rows of the epochs finished before {@code start}, in order
     * @throws TrainingFailedException    as {@link #run()}
     * @throws TrainingCancelledException as {@link #run()}
     */
    public RunSummary run(TrainState start, List<Map<String, Object>> earlier) {
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
        Progress p = new Progress(start);
        List<Map<String, Object>> rows = new ArrayList<>(earlier);
        long runStart = System.nanoTime();
        double trainSeconds = 0;
        long trainImages = 0;
        boolean stoppedEarly = false;
        try (BatchLoader loader = new BatchLoader(train, data.augmentation(), seed)) {
            for (int epoch = start.epoch(); epoch < epochs && !stoppedEarly; epoch++) {
                Map<String, Object> row = runEpoch(epoch, train, loader, p);
                trainSeconds += (Double) row.get("train_seconds");
                trainImages += data.train().size();
                rows.add(row);
                stoppedEarly = p.stopped;
            }
        }
        RunSummary summary = new RunSummary(
                List.copyOf(rows),
                (System.nanoTime() - runStart) / 1e9,
                trainImages / Math.max(trainSeconds, 1e-9),
                stoppedEarly ? p.bestEpoch : 0);
        listeners.forEach(l -> l.onRunEnd(summary));
        return summary;
    }

    /** One epoch: every training step in this epoch's order, then the evaluation; returns the metrics row. */
    private Map<String, Object> runEpoch(int epoch, Batches train, BatchLoader loader, Progress p) {
        model.objective().setEpoch(epoch);
        int batches = train.count();
        listeners.forEach(l -> l.onEpochStart(epoch, batches));
        if (engine != null) {
            return finishEpoch(epoch, engineRow(epoch), p);
        }
        int[] order = train.shuffled(seed, epoch);
        int first = p.firstBatch(epoch);
        loader.startEpoch(epoch, order, first);
        EpochMetrics metrics = first == 0 ? new EpochMetrics() : new EpochMetrics(p.partial);
        long lastGc = System.nanoTime();
        for (int b = first; b < batches; b++) {
            if (Thread.interrupted()) { // cleared: the checkpoint's and run.json's file channels would refuse to work
                store.checkpoint(p.state(epoch, b, metrics.partial()), "interrupted");
                throw new TrainingCancelledException("training interrupted at epoch " + (epoch + 1) + ", batch "
                        + (b + 1) + "; a checkpoint of the steps before it was saved");
            }
            int[] idx = train.indices(order, b);
            float[] pixels;
            try {
                pixels = loader.take(b);
            } catch (TrainingCancelledException e) {
                Thread.interrupted();
                store.checkpoint(p.state(epoch, b, metrics.partial()), "interrupted");
                throw e;
            }
            Batch batch = new Batch(train.toArray(pixels, idx.length), train.targets(idx));
            double lr = learningRate(model.graph());
            EpochMetrics.StepResult result = step(batch, idx, epoch, b);
            p.afterStep(result.loss(), epoch, b);
            lastGc = collectOffHeapGarbage(lastGc, gcIntervalNanos);
            metrics.add(result, idx.length);
            BatchStats stats =
                    new BatchStats(epoch, b, batches, result.loss(), result.terms(), lr, metrics.imagesPerSec());
            listeners.forEach(l -> l.onBatchEnd(stats));
            if (b + 1 < batches && p.intervalCheckpointDue()) {
                store.checkpoint(p.state(epoch, b + 1, metrics.partial()), "interval");
            }
            p.heartbeat();
        }
        Map<String, Object> row = metrics.row(epoch, learningRate(model.graph()), metrics.seconds());
        if (teacher != null) {
            teacher.takeAccuracy().ifPresent(a -> row.put("train_teacher_accuracy", a));
        }
        return finishEpoch(epoch, row, p);
    }

    /**
     * The metrics row of one epoch on the {@link #engine}: {@code train_loss} and the {@code train_<term>} columns as
     * the engine reports them ({@link org.camloss.runtime.engine.EpochOutcome}: epoch means where it can collect
     * them).
     */
    private Map<String, Object> engineRow(int epoch) {
        if (Thread.interrupted()) {
            throw new TrainingCancelledException("training interrupted before epoch " + (epoch + 1));
        }
        org.camloss.runtime.engine.EpochOutcome out = engine.trainEpoch(epoch);
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("epoch", epoch + 1);
        row.put("train_loss", out.loss());
        out.terms().forEach((k, v) -> row.put("train_" + k, v));
        row.put("lr", learningRate(model.graph()));
        row.put("images_per_sec", out.examples() / Math.max(out.seconds(), 1e-9));
        row.put("train_seconds", out.seconds());
        row.put("engine_steps", out.steps());
        return row;
    }

    /** Evaluation, early stopping, the epoch's checkpoint and the listeners, after an epoch's training. */
    private Map<String, Object> finishEpoch(int epoch, Map<String, Object> row, Progress p) {
        evaluate(row);
        // the checkpoint before the listeners: once an epoch's metrics row is written, its checkpoint exists
        p.stopped = p.afterEpoch(epoch, row);
        if (p.stopped
                || spec.checkpointEveryEpochs() > 0
                        && ((epoch + 1) % spec.checkpointEveryEpochs() == 0 || epoch + 1 == epochs)) {
            store.checkpoint(p.state(epoch + 1, 0, Map.of()), "epoch");
        }
        EpochStats stats = new EpochStats(epoch + 1, epochs, row);
        listeners.forEach(l -> l.onEpochEnd(stats));
        return row;
    }

    /**
     * The divergence rule: the loss is not finite, or, once 20 steps have passed, the mean loss of the last 20 steps
     * exceeds {@code train.divergence_factor} (default 10) times the loss of the run's first step (at
     * initialisation close to ln K, the loss of a uniform prediction). A run that trains normally stays far below:
     * its loss falls; one whose learning rate is too large climbs to tens or thousands and stays there.
     *
     * @return the reason, or null when the run is fine
     */
    static String divergence(double loss, double firstLoss, List<Double> recent, double factor) {
        if (!Double.isFinite(loss)) {
            return "the loss is " + loss;
        }
        if (recent.size() < Progress.WINDOW || !(firstLoss > 0)) {
            return null;
        }
        double mean = recent.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        if (mean > factor * firstLoss) {
            return String.format(
                    java.util.Locale.ROOT,
                    "the mean loss of the last %d steps is %.4g, more than %s "
                            + "times the first step's %.4g (train.divergence_factor)",
                    recent.size(),
                    mean,
                    factor == Math.rint(factor) ? Long.toString((long) factor) : Double.toString(factor),
                    firstLoss);
        }
        return null;
    }

    /** What the run has seen so far: divergence reference, best metric, early stopping, checkpoint clock. */
    private final class Progress {
        static final int WINDOW = 20;
        private final TrainState start;
        private final java.util.ArrayDeque<Double> recent;
        private double firstLoss;
        private double bestValue;
        private int bestEpoch;
        private int badEpochs;
        private Map<String, Object> partial;
        private long lastCheckpoint = System.nanoTime();
        private boolean stopped;
        private long lastHeartbeat = System.nanoTime();

        Progress(TrainState start) {
            this.start = start;
            this.recent = new java.util.ArrayDeque<>(start.recentLosses());
            this.firstLoss = start.firstLoss();
            this.bestValue = start.bestValue();
            this.bestEpoch = start.bestEpoch();
            this.badEpochs = start.badEpochs();
            this.partial = start.partial();
        }

        int firstBatch(int epoch) {
            return epoch == start.epoch() ? start.batch() : 0;
        }

        void afterStep(double loss, int epoch, int b) {
            if (Double.isNaN(firstLoss)) {
                firstLoss = loss;
            }
            recent.addLast(loss);
            while (recent.size() > WINDOW) {
                recent.removeFirst();
            }
            String reason = divergence(loss, firstLoss, List.copyOf(recent), spec.divergenceFactor());
            if (reason != null) {
                throw new TrainingFailedException("training diverged at epoch " + (epoch + 1) + ", batch " + (b + 1)
                        + ": " + reason + "; try a lower learning rate (optimizer.params.lr)");
            }
        }

        boolean intervalCheckpointDue() {
            double minutes = spec.checkpointEveryMinutes();
            if (minutes <= 0 || System.nanoTime() - lastCheckpoint < minutes * 60e9) {
                return false;
            }
            lastCheckpoint = System.nanoTime();
            return true;
        }

        void heartbeat() {
            if (System.nanoTime() - lastHeartbeat > HEARTBEAT_NANOS) {
                lastHeartbeat = System.nanoTime();
                store.heartbeat();
            }
        }

        /**
         * Tracks the best model (by the early-stopping metric, else {@code val_accuracy} when there is a validation
         * split) and decides early stopping.
         *
         * @return whether to stop after this epoch
         */
        boolean afterEpoch(int epoch, Map<String, Object> row) {
            lastCheckpoint = System.nanoTime();
            var es = spec.earlyStopping();
            String metric = es.map(TrainSpec.EarlyStoppingSpec::metric)
                    .orElse(row.containsKey("val_accuracy") ? "val_accuracy" : null);
            if (metric == null) {
                return false;
            }
            if (!(row.get(metric) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new org.camloss.api.UserException("train.early_stopping.metric: '" + metric + "' is not a "
                        + "metric of this run's epochs; they have "
                        + row.keySet().stream()
                                .filter(k -> k.startsWith("val_") || k.equals("train_loss"))
                                .toList());
            }
            double value = n.doubleValue();
            boolean higher = es.map(TrainSpec.EarlyStoppingSpec::higherIsBetter).orElse(true);
            double minDelta = es.map(TrainSpec.EarlyStoppingSpec::minDelta).orElse(0.0);
            boolean improved =
                    Double.isNaN(bestValue) || (higher ? value > bestValue + minDelta : value < bestValue - minDelta);
            if (improved) {
                bestValue = value;
                bestEpoch = epoch + 1;
                badEpochs = 0;
                store.best(epoch + 1, metric, value);
            } else {
                badEpochs++;
            }
            return es.isPresent() && badEpochs >= es.get().patience();
        }

        TrainState state(int epoch, int batch, Map<String, Object> partialSums) {
            return new TrainState(
                    epoch, batch, partialSums, firstLoss, List.copyOf(recent), bestValue, bestEpoch, badEpochs);
        }
    }

    /**
     * One training step (steps 2–5 of the class comment): regularizers, teacher signals, DL4J's {@code fit},
     * and the loss and terms the head computed.
     *
     * @param idx the batch's example indices (for the teacher's cache)
     * @throws TrainingFailedException when the loss is not finite, or a plugin throws during the step
     */
    EpochMetrics.StepResult step(Batch batch, int[] idx, int epoch, int b) {
        String where = "epoch " + (epoch + 1) + ", batch " + (b + 1);
        double loss;
        Map<String, Double> terms;
        try {
            Random rng = new Random(Seeds.of(seed, epoch, b, Seeds.REGULARIZERS));
            Nd4j.getRandom().setSeed(Seeds.of(seed, epoch, b, Seeds.ND4J));
            for (Regularizer r : regularizers) {
                batch = r.apply(batch, rng);
            }
            if (teacher != null) {
                batch = new Batch(batch.features(), teacher.labels(batch.features(), batch.targets(), idx));
            }
            model.graph().fit(new INDArray[] {batch.features()}, new INDArray[] {model.labels(batch)});
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
     * it a setting. {@code camloss bench} calls it between its steps with the command line's interval, so that its
     * memory figures are those of a training process.
     *
     * @param lastGc   {@link System#nanoTime()} of the last collection (or of the start)
     * @param interval nanoseconds between collections; 0 for never
     * @return the time of the last collection
     */
    public static long collectOffHeapGarbage(long lastGc, long interval) {
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
