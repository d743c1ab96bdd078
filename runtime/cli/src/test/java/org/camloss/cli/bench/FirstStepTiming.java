package org.camloss.cli.bench;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.api.LossFactory;
import org.camloss.engine.Backend;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where {@code bench}'s {@code first_step} goes: in a fresh JVM, the case's model is assembled and trained one step
 * exactly as {@link Benchmark#run} does (the timer starts before {@code ModelAssembler} and stops after the first
 * {@code fit}), with the phases timed apart — assembly, and inside the first {@code fit} the forward pass, the
 * backward pass, the gradient hook, the updater and the rest — and the JVM's counters (classes loaded, JIT
 * compilation time, collections) read around each phase. Then a second step of the same model, and then further
 * models of the same case assembled and stepped in the same JVM: their first step is the per-model part (parameter
 * initialisation, workspaces, oneDNN plans), the difference to the first model's the per-process part (class loading,
 * JIT, the libraries' first calls). Ends with the median of {@code warm} steps. Not a test: run with {@code java -cp <cli
 * test class path> org.camloss.cli.bench.FirstStepTiming [backbone depth HxWxC loss models warm]}.
 */
public final class FirstStepTiming {
    private FirstStepTiming() {}

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        String backbone = args.length > 0 ? args[0] : "resnet-cifar";
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String[] input = (args.length > 2 ? args[2] : "32x32x3").split("x");
        String loss = args.length > 3 ? args[3] : "cross-entropy";
        int models = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int warm = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        long mainEpochMs = System.currentTimeMillis();
        Counters start = Counters.now();
        Backend.init();
        PluginRegistry registry = PluginRegistry.discover(FirstStepTiming.class.getClassLoader());
        BenchCase c = new BenchCase(
                backbone,
                depth,
                Integer.parseInt(input[0]),
                Integer.parseInt(input[1]),
                Integer.parseInt(input[2]),
                128,
                loss);
        BackboneFactory bf = registry.find(PluginKind.BACKBONE, backbone).orElseThrow();
        LossFactory lf = registry.find(PluginKind.LOSS, loss).orElseThrow();
        BenchBatch batch = BenchBatch.of(registry, "auto", c);
        INDArray[] xs = {batch.x()};
        INDArray[] ys = {batch.oneHot()};
        Counters ready = Counters.now();
        System.out.printf(
                "%s-%d %s %s batch 128 (%s), %d threads; JVM start to main %d ms; backend, plugins and batch %s%n",
                backbone,
                depth,
                c.input(),
                loss,
                batch.source(),
                Backend.threads(),
                mainEpochMs - jvmStart,
                ready.minus(start));
        CamModel last = null;
        for (int m = 0; m < models; m++) {
            long epochMs = System.currentTimeMillis();
            Counters t0 = Counters.now();
            CamModel model = Benchmark.assemble(c, bf, lf);
            Counters t1 = Counters.now();
            Phases phases = new Phases();
            model.graph().addListeners(phases);
            phases.begin = System.nanoTime();
            model.graph().fit(xs, ys);
            Counters t2 = Counters.now();
            long firstEndEpochMs = System.currentTimeMillis();
            phases.begin = System.nanoTime();
            model.graph().fit(xs, ys);
            Counters t3 = Counters.now();
            long secondEndEpochMs = System.currentTimeMillis();
            System.out.printf(
                    "model %d: first step (bench's first_step) %.0f ms = assemble %s + fit %s [%s]; second step %s [%s]%n",
                    m + 1,
                    (t2.wall - t0.wall) / 1e6,
                    t1.minus(t0),
                    t2.minus(t1),
                    phases.first,
                    t3.minus(t2),
                    phases.last());
            System.out.printf(
                    "model %d: first step from %d to %d, second to %d (epoch ms, for a JFR recording)%n",
                    m + 1, epochMs, firstEndEpochMs, secondEndEpochMs);
            last = model;
        }
        long warmStartEpochMs = System.currentTimeMillis();
        double[] t = new double[Math.max(warm, 1)];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            last.graph().fit(xs, ys);
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        System.out.printf(
                "last model, %d further steps: median %.1f ms [%.1f-%.1f], from %d to %d (epoch ms)%n",
                t.length, t[t.length / 2], t[0], t[t.length - 1], warmStartEpochMs, System.currentTimeMillis());
    }

    /** Wall clock, this thread's CPU time, and the JVM's class-loading, JIT and GC counters. */
    private record Counters(long wall, long cpu, long classes, long jitMs, long gcMs, long gcCount, long faults) {
        static Counters now() {
            ClassLoadingMXBean cl = ManagementFactory.getClassLoadingMXBean();
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long gcMs = 0;
            long gcCount = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcMs += gc.getCollectionTime();
                gcCount += gc.getCollectionCount();
            }
            return new Counters(
                    System.nanoTime(),
                    ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(),
                    cl.getTotalLoadedClassCount(),
                    jit.getTotalCompilationTime(),
                    gcMs,
                    gcCount,
                    minorFaults());
        }

        /** The process's minor page faults so far ({@code /proc/self/stat}'s tenth field; -1 where there is none). */
        static long minorFaults() {
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[7]);
            } catch (java.io.IOException | RuntimeException e) {
                return -1;
            }
        }

        String minus(Counters o) {
            return String.format(
                    "%.0f ms (main thread CPU %.0f ms, %d classes loaded, JIT %d ms, %d GCs %d ms, %d minor page faults)",
                    (wall - o.wall) / 1e6,
                    (cpu - o.cpu) / 1e6,
                    classes - o.classes,
                    jitMs - o.jitMs,
                    gcCount - o.gcCount,
                    gcMs - o.gcMs,
                    faults - o.faults);
        }
    }

    /** Times between the training hooks DL4J calls inside one {@code fit}. */
    private static final class Phases extends BaseTrainingListener {
        long begin;
        long prev;
        final List<String> marks = new ArrayList<>();
        String first;

        private void mark(String what) {
            long now = System.nanoTime();
            if (marks.isEmpty()) {
                prev = begin;
            }
            marks.add(String.format("%s %.0f", what, (now - prev) / 1e6));
            prev = now;
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            mark("to forward hook");
        }

        @Override
        public void onForwardPass(Model model, List<INDArray> activations) {
            mark("to forward hook");
        }

        @Override
        public void onGradientCalculation(Model model) {
            mark("to gradient hook");
        }

        @Override
        public void onBackwardPass(Model model) {
            mark("to backward hook");
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            mark("to iteration done");
            String s = String.join(", ", marks) + " ms";
            if (first == null) {
                first = s;
            }
            marks.clear();
            lastLine = s;
        }

        String lastLine;

        String last() {
            return lastLine;
        }
    }
}
