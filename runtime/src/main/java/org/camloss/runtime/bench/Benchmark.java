package org.camloss.runtime.bench;

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
import org.camloss.api.model.CamModel;
import org.camloss.api.model.ModelAssembler;
import org.camloss.api.model.Objective;
import org.camloss.runtime.UserException;
import org.camloss.runtime.engine.Backend;
import org.camloss.runtime.engine.ClassicalMomentum;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures training-step and inference throughput of one model configuration on random data: median,
 * minimum and maximum over timed steps after warm-up, time to the first training step, and peak memory.
 */
public final class Benchmark {
    private final PluginRegistry registry;
    private final int warmup;
    private final int steps;

    /**
     * @param registry plugins
     * @param warmup   untimed steps first
     * @param steps    timed steps (at least 1)
     */
    public Benchmark(PluginRegistry registry, int warmup, int steps) {
        Backend.init(); // oneDNN helpers on, as for training
        this.registry = registry;
        this.warmup = warmup;
        this.steps = steps;
    }

    /** Runs one case and returns its JSON-ready row. */
    public Map<String, Object> run(BenchCase c) {
        BackboneFactory bf = registry.find(PluginKind.BACKBONE, c.backbone())
                .orElseThrow(() -> new UserException("--backbone: " + registry.unknownIdMessage(PluginKind.BACKBONE,
                        c.backbone())));
        LossFactory lf = registry.find(PluginKind.LOSS, c.loss())
                .orElseThrow(() -> new UserException("--loss: " + registry.unknownIdMessage(PluginKind.LOSS, c.loss())));
        Map<String, Object> bp = new LinkedHashMap<>(c.params());
        if (c.depth() > 0) {
            bp.put("depth", c.depth());
        }
        long t0 = System.nanoTime();
        CamModel model;
        try {
            Params backboneParams = Params.resolve(bf.params(), bp);
            model = new ModelAssembler().seed(1).updater(new ClassicalMomentum(0.01, null, 0.9, false))
                    .assemble(bf.create(backboneParams), new InputShape(c.channels(), c.height(),
                            c.width()), 10, Objective.of(lf.create(Params.defaults(lf.params()))));
        } catch (IllegalArgumentException e) {
            throw new UserException("--backbone " + c.backbone() + ": " + e.getMessage());
        }
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
        double[] infer = new double[steps];
        for (int i = 0; i < steps; i++) {
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
        row.put("peak_heap_mb", peakHeapMb());
        row.put("peak_rss_mb", peakRssMb());
        return row;
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
