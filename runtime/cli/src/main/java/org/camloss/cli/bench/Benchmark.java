package org.camloss.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.api.InputShape;
import org.camloss.api.LossFactory;
import org.camloss.api.Params;
import org.camloss.api.UserException;
import org.camloss.api.layers.FoldedInference;
import org.camloss.engine.Backend;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.engine.optim.ClassicalMomentum;
import org.camloss.engine.optim.CoupledWeightDecay;
import org.camloss.runtime.RuntimeSettings;
import org.camloss.runtime.explain.NpzWriter;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.train.Trainer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures training-step and inference throughput of one model configuration on one batch (a real dataset's,
 * see {@link BenchBatch}): median, minimum and maximum over timed steps after warm-up, time to the first
 * training step, and peak memory; for a loss other than cross-entropy also its step-time overhead over
 * cross-entropy, from a cross-entropy twin stepped alternately with the model in the same JVM.
 *
 * <p>The step is training's: SGD with classical momentum 0.9 at learning rate {@value #LEARNING_RATE} and
 * coupled weight decay {@value #WEIGHT_DECAY} (the Fashion-MNIST and shapes examples' recipe), the same
 * hyper-parameters the PyTorch twin ({@code bench/torch_bench.py}) is given.
 */
public final class Benchmark {
    private static final String CROSS_ENTROPY = "cross-entropy";
    /** SGD learning rate of the timed steps. */
    public static final double LEARNING_RATE = 0.1;
    /** SGD momentum of the timed steps. */
    public static final double MOMENTUM = 0.9;
    /** Coupled L2 weight decay of the timed steps. */
    public static final double WEIGHT_DECAY = 5e-4;
    /** How often the steps are followed by a garbage collection: the training command's interval. */
    static final java.time.Duration GC_INTERVAL = RuntimeSettings.commandLine().gcInterval();

    private final PluginRegistry registry;
    private String data = "random";
    private Path batchFile;
    private final int warmup;
    private final int steps;
    private final int inferSteps;

    /**
     * @param registry plugins
     * @param warmup   untimed steps first
     * @param steps    timed training steps (at least 1); inference runs four times as many (shorter) passes
     */
    public Benchmark(PluginRegistry registry, int warmup, int steps) {
        this(registry, warmup, steps, 4 * steps);
    }

    /**
     * @param registry   plugins
     * @param warmup     untimed steps first
     * @param steps      timed training steps (at least 1)
     * @param inferSteps timed inference passes (at least 1)
     */
    public Benchmark(PluginRegistry registry, int warmup, int steps, int inferSteps) {
        Backend.init(); // oneDNN helpers on, as for training
        this.registry = registry;
        this.warmup = warmup;
        this.steps = steps;
        this.inferSteps = inferSteps;
    }

    /**
     * Where the batch comes from ({@link BenchBatch#SOURCES}; default {@code random}) and, when {@code
     * batchFile} is not null, a NumPy {@code .npz} file to write it to ({@code x}: NHWC float32, {@code y}: class
     * indices as float32) for the PyTorch twin.
     */
    public Benchmark data(String source, Path batchFile) {
        this.data = source;
        this.batchFile = batchFile;
        return this;
    }

    /**
     * Checks a case before it runs (and before a round forks a JVM for it): its backbone and loss ids are installed
     * plugins and its depth and {@code --param} values are valid for the backbone and make a backbone.
     *
     * @throws UserException naming {@code --backbone} or {@code --loss}: an unknown id with the nearest id and the
     *     available ones, or each invalid parameter with its valid range or choices
     */
    public static void check(PluginRegistry registry, BenchCase c) {
        BackboneFactory bf = registry.find(PluginKind.BACKBONE, c.backbone())
                .orElseThrow(() -> new UserException(
                        "--backbone: " + registry.unknownIdMessage(PluginKind.BACKBONE, c.backbone())));
        if (registry.find(PluginKind.LOSS, c.loss()).isEmpty()) {
            throw new UserException("--loss: " + registry.unknownIdMessage(PluginKind.LOSS, c.loss()));
        }
        try {
            bf.create(backboneParams(c, bf));
        } catch (IllegalArgumentException e) {
            throw new UserException("--backbone " + c.backbone() + ": " + e.getMessage());
        }
    }

    /** The backbone's parameters for a case: its {@code --param} values, its depth when not 0, defaults filled in. */
    private static Params backboneParams(BenchCase c, BackboneFactory bf) {
        Map<String, Object> bp = new LinkedHashMap<>(c.params());
        if (c.depth() > 0) {
            bp.put("depth", c.depth());
        }
        return Params.resolve(bf.params(), bp);
    }

    /** Runs one case and returns its JSON-ready row. */
    public Map<String, Object> run(BenchCase c) {
        BackboneFactory bf = registry.find(PluginKind.BACKBONE, c.backbone())
                .orElseThrow(() -> new UserException(
                        "--backbone: " + registry.unknownIdMessage(PluginKind.BACKBONE, c.backbone())));
        LossFactory lf = registry.find(PluginKind.LOSS, c.loss())
                .orElseThrow(
                        () -> new UserException("--loss: " + registry.unknownIdMessage(PluginKind.LOSS, c.loss())));
        BenchBatch batch = BenchBatch.of(registry, data, c);
        if (batchFile != null) {
            try {
                NpzWriter.write(batchFile, Map.of("x", batch.x(), "y", batch.labelVector()));
            } catch (IOException e) {
                throw new UserException("bench: cannot write the batch file " + batchFile + ": " + e.getMessage(), e);
            }
        }
        long t0 = System.nanoTime();
        CamModel model = assemble(c, bf, lf);
        INDArray x = batch.x();
        INDArray y = batch.oneHot();
        INDArray[] xs = {x};
        INDArray[] ys = {y};
        model.graph().fit(xs, ys);
        double firstStep = (System.nanoTime() - t0) / 1e9;
        // the training command's periodic collection between steps (Trainer.collectOffHeapGarbage), so that the
        // memory figures are a training process's; a collection inside a timed step counts, as it does in training
        long gcInterval = GC_INTERVAL.toNanos();
        long lastGc = t0;
        for (int i = 0; i < warmup; i++) {
            model.graph().fit(xs, ys);
            lastGc = Trainer.collectOffHeapGarbage(lastGc, gcInterval);
        }
        double[] train = new double[steps];
        for (int i = 0; i < steps; i++) {
            long s = System.nanoTime();
            model.graph().fit(xs, ys);
            lastGc = Trainer.collectOffHeapGarbage(lastGc, gcInterval);
            train[i] = c.batch() / ((System.nanoTime() - s) / 1e9);
        }
        double[] infer = new double[inferSteps];
        // inference passes read only the output: batch norms folded into their convolutions, as in the evaluator
        try (FoldedInference folded = FoldedInference.open(model.graph())) {
            for (int i = 0; i < warmup; i++) {
                model.graph().output(false, xs);
                lastGc = Trainer.collectOffHeapGarbage(lastGc, gcInterval);
            }
            for (int i = 0; i < inferSteps; i++) {
                long s = System.nanoTime();
                model.graph().output(false, xs);
                lastGc = Trainer.collectOffHeapGarbage(lastGc, gcInterval);
                infer[i] = c.batch() / ((System.nanoTime() - s) / 1e9);
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("backbone", c.backbone() + (c.depth() > 0 ? "-" + c.depth() : ""));
        row.put("input", c.input());
        row.put("batch", c.batch());
        row.put("loss", c.loss());
        row.put("backend", Backend.name());
        row.put("threads", Backend.threads());
        row.put("parameters", model.graph().numParams());
        row.put("data", batch.source());
        row.put("lr", LEARNING_RATE);
        row.put("momentum", MOMENTUM);
        row.put("weight_decay", WEIGHT_DECAY);
        row.put("train_images_per_sec", median(train));
        row.put("train_images_per_sec_min", min(train));
        row.put("train_images_per_sec_max", max(train));
        row.put("infer_images_per_sec", median(infer));
        row.put("infer_images_per_sec_min", min(infer));
        row.put("infer_images_per_sec_max", max(infer));
        row.put("first_step_seconds", firstStep);
        row.put("timed_steps", steps);
        row.put("timed_inference_passes", inferSteps);
        row.put("peak_heap_mb", peakHeapMb());
        row.put("peak_rss_mb", peakRssMb());
        row.put("gc_interval_seconds", GC_INTERVAL.toMillis() / 1000.0);
        if (!c.loss().equals(CROSS_ENTROPY)
                && registry.find(PluginKind.LOSS, CROSS_ENTROPY).isPresent()) {
            // After the memory figures: a cross-entropy twin in this JVM, stepped alternately with this model.
            double overhead = interleavedOverhead(
                    assemble(
                            c, bf, registry.find(PluginKind.LOSS, CROSS_ENTROPY).orElseThrow()),
                    model,
                    xs,
                    ys);
            row.put("overhead_vs_cross_entropy", overhead);
            if (c.loss().equals("cam-loss")) {
                row.put("cam_overhead", overhead);
            }
        }
        return row;
    }

    /**
     * Step-time increase of {@code model} over {@code reference}: both warmed up, then stepped alternately
     * ({@code steps} pairs, so that both see the same machine state); the median over pairs of the step-time
     * ratio, minus one (robust to drift and to bursts that hit a few pairs).
     */
    private double interleavedOverhead(CamModel reference, CamModel model, INDArray[] xs, INDArray[] ys) {
        for (int i = 0; i < warmup; i++) {
            reference.graph().fit(xs, ys);
            model.graph().fit(xs, ys);
        }
        double[] ratio = new double[steps];
        for (int i = 0; i < steps; i++) {
            long s = System.nanoTime();
            reference.graph().fit(xs, ys);
            long m = System.nanoTime();
            model.graph().fit(xs, ys);
            long e = System.nanoTime();
            ratio[i] = (double) (e - m) / (m - s);
        }
        return median(ratio) - 1;
    }

    /** The case's model as {@link #run} trains it: seed 1, the timed steps' updater and weight decay. */
    static CamModel assemble(BenchCase c, BackboneFactory bf, LossFactory lf) {
        try {
            Params backboneParams = backboneParams(c, bf);
            CamModel m = new ModelAssembler()
                    .seed(1)
                    .updater(new ClassicalMomentum(LEARNING_RATE, null, MOMENTUM, false))
                    .assemble(
                            bf.create(backboneParams),
                            new InputShape(c.channels(), c.height(), c.width()),
                            10,
                            Objective.of(lf.create(Params.defaults(lf.params()))));
            m.graph().addListeners(new CoupledWeightDecay(WEIGHT_DECAY));
            return m;
        } catch (IllegalArgumentException e) {
            throw new UserException("--backbone " + c.backbone() + ": " + e.getMessage());
        }
    }

    /** The median of {@code v} (the mean of the two middle values for an even count); {@code v} is not changed. */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** Sum of the heap pools' peak usage, in MiB. */
    static double peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024.0 * 1024.0);
    }

    /** Peak resident set size of this process (heap, off-heap and natives), in MiB; NaN off Linux. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Runs several cases, each in order. */
    public List<Map<String, Object>> runAll(List<BenchCase> cases) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (BenchCase c : cases) {
            rows.add(run(c));
        }
        return rows;
    }
}
