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
import org.camloss.engine.Backend;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.engine.optim.ClassicalMomentum;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures training-step and inference throughput of one model configuration on random data: median,
 * minimum and maximum over timed steps after warm-up, time to the first training step, and peak memory; for
 * a loss other than cross-entropy also its step-time overhead over cross-entropy, from a cross-entropy twin
 * stepped alternately with the model in the same JVM.
 */
public final class Benchmark {
    private static final String CROSS_ENTROPY = "cross-entropy";
    private final PluginRegistry registry;
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

    /** Runs one case and returns its JSON-ready row. */
    public Map<String, Object> run(BenchCase c) {
        BackboneFactory bf = registry.find(PluginKind.BACKBONE, c.backbone())
                .orElseThrow(() -> new UserException(
                        "--backbone: " + registry.unknownIdMessage(PluginKind.BACKBONE, c.backbone())));
        LossFactory lf = registry.find(PluginKind.LOSS, c.loss())
                .orElseThrow(
                        () -> new UserException("--loss: " + registry.unknownIdMessage(PluginKind.LOSS, c.loss())));
        long t0 = System.nanoTime();
        CamModel model = assemble(c, bf, lf);
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.FLOAT, c.batch(), c.height(), c.width(), c.channels());
        INDArray y = Nd4j.zeros(DataType.FLOAT, c.batch(), 10);
        for (int i = 0; i < c.batch(); i++) {
            y.putScalar(i, i % 10, 1.0);
        }
        INDArray[] xs = {x};
        INDArray[] ys = {y};
        model.graph().fit(xs, ys);
        double firstStep = (System.nanoTime() - t0) / 1e9;
        for (int i = 0; i < warmup; i++) {
            model.graph().fit(xs, ys);
        }
        double[] train = new double[steps];
        for (int i = 0; i < steps; i++) {
            long s = System.nanoTime();
            model.graph().fit(xs, ys);
            train[i] = c.batch() / ((System.nanoTime() - s) / 1e9);
        }
        for (int i = 0; i < warmup; i++) {
            model.graph().output(false, xs);
        }
        double[] infer = new double[inferSteps];
        for (int i = 0; i < inferSteps; i++) {
            long s = System.nanoTime();
            model.graph().output(false, xs);
            infer[i] = c.batch() / ((System.nanoTime() - s) / 1e9);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("backbone", c.backbone() + (c.depth() > 0 ? "-" + c.depth() : ""));
        row.put("input", c.input());
        row.put("batch", c.batch());
        row.put("loss", c.loss());
        row.put("backend", Backend.name());
        row.put("threads", Backend.threads());
        row.put("parameters", model.graph().numParams());
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

    private CamModel assemble(BenchCase c, BackboneFactory bf, LossFactory lf) {
        Map<String, Object> bp = new LinkedHashMap<>(c.params());
        if (c.depth() > 0) {
            bp.put("depth", c.depth());
        }
        try {
            Params backboneParams = Params.resolve(bf.params(), bp);
            return new ModelAssembler()
                    .seed(1)
                    .updater(new ClassicalMomentum(0.01, null, 0.9, false))
                    .assemble(
                            bf.create(backboneParams),
                            new InputShape(c.channels(), c.height(), c.width()),
                            10,
                            Objective.of(lf.create(Params.defaults(lf.params()))));
        } catch (IllegalArgumentException e) {
            throw new UserException("--backbone " + c.backbone() + ": " + e.getMessage());
        }
    }

    static double median(double[] v) {
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
