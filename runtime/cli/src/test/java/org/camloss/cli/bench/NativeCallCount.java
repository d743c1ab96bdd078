package org.camloss.cli.bench;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.camloss.api.BackboneFactory;
import org.camloss.api.LossFactory;
import org.camloss.engine.Backend;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.nd4j.linalg.api.memory.deallocation.DeallocatableReference;
import org.nd4j.linalg.api.memory.deallocation.DeallocatorService;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Counts the calls into ND4J's op executioner (each one native call into libnd4j, plus the calls that set up its
 * arguments) per training step and per inference pass of {@code bench}'s model, grouped by the layer or component that
 * made them (the nearest camloss or DL4J frame on the stack) and by forward, backward and update, with the time spent
 * inside them; and the arrays allocated outside workspaces per step (ND4J's deallocator registrations, by kind and
 * size). The executioner is wrapped by a counting proxy installed in {@code Nd4j}'s private field after warm-up; the
 * oneDNN plans of camloss's convolutions call oneDNN directly and are not seen here (their calls are counted per
 * convolution call from the plans' structure, docs/performance.md). Not a test: run with {@code java -cp <cli test
 * class path> org.camloss.cli.bench.NativeCallCount [backbone depth HxWxC loss warm steps passes]}.
 */
public final class NativeCallCount {
    private NativeCallCount() {}

    public static void main(String[] args) throws Exception {
        String backbone = args.length > 0 ? args[0] : "resnet-cifar";
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String[] input = (args.length > 2 ? args[2] : "32x32x3").split("x");
        String loss = args.length > 3 ? args[3] : "cross-entropy";
        int warm = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int steps = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        int passes = args.length > 6 ? Integer.parseInt(args[6]) : 5;
        Backend.init();
        PluginRegistry registry = PluginRegistry.discover(NativeCallCount.class.getClassLoader());
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
        CamModel model = Benchmark.assemble(c, bf, lf);
        for (int i = 0; i < warm; i++) {
            model.graph().fit(xs, ys);
        }
        for (int i = 0; i < warm; i++) {
            model.graph().output(false, xs);
        }
        double trainMs = medianMs(() -> model.graph().fit(xs, ys), steps);
        double inferMs = medianMs(() -> model.graph().output(false, xs), passes);
        System.out.printf(
                "%s-%d %s %s batch 128, %d threads, after %d warm-up steps and passes; uncounted median: training step"
                        + " %.1f ms, inference pass %.1f ms%n",
                backbone, depth, c.input(), loss, Backend.threads(), warm, trainMs, inferMs);

        Counting counting = Counting.install();
        try {
            Allocations alloc = Allocations.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                model.graph().fit(xs, ys);
            }
            double countedMs = (System.nanoTime() - t0) / 1e6 / steps;
            String trainAlloc = alloc.report(steps);
            counting.print("training step", steps);
            System.out.printf("counted training steps took %.1f ms each (stack walks included)%n", countedMs);
            counting.printStacks(steps);
            System.out.println("ND4J deallocator registrations per training step: " + trainAlloc);
            counting.reset();
            alloc = Allocations.start();
            t0 = System.nanoTime();
            for (int i = 0; i < passes; i++) {
                model.graph().output(false, xs);
            }
            countedMs = (System.nanoTime() - t0) / 1e6 / passes;
            String inferAlloc = alloc.report(passes);
            counting.print("inference pass", passes);
            System.out.printf("counted inference passes took %.1f ms each (stack walks included)%n", countedMs);
            System.out.println("ND4J deallocator registrations per inference pass: " + inferAlloc);
        } finally {
            counting.uninstall();
        }
        perCallCosts();
    }

    /** What one call costs when it does (almost) no arithmetic: the per-call part of the fixed cost. */
    private static void perCallCosts() {
        int n = 20000;
        INDArray a = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 16);
        INDArray b = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 16);
        long[] shape = {2, 8};
        Runnable[] probes = {
            () -> Nd4j.getExecutioner()
                    .createShapeInfo(
                            shape, new long[] {8, 1}, 1, 'c', org.nd4j.linalg.api.buffer.DataType.FLOAT, false),
            () -> a.reshape(shape),
            () -> a.muli(1.0),
            () -> a.addi(b),
            () -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.Max(a, b, a)),
            () -> Nd4j.getBlasWrapper().level1().axpy(16, 1.0, b, a)
        };
        String[] names = {
            "createShapeInfo",
            "reshape (a view)",
            "scalar op (muli)",
            "pairwise op (addi)",
            "custom op (max)",
            "BLAS axpy"
        };
        for (int p = 0; p < probes.length; p++) {
            for (int i = 0; i < n; i++) {
                probes[p].run();
            }
            double[] t = new double[5];
            for (int r = 0; r < 5; r++) {
                long s = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    probes[p].run();
                }
                t[r] = (System.nanoTime() - s) / 1e3 / n;
            }
            Arrays.sort(t);
            System.out.printf("per call, 16 floats: %s %.2f us (median of 5 x %d)%n", names[p], t[2], n);
        }
    }

    private static double medianMs(Runnable r, int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    }

    /** The proxy around ND4J's executioner and what it counted. */
    private static final class Counting implements InvocationHandler {
        private final OpExecutioner target;
        private final Field field;
        private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
        /** key (component, direction) → op → {calls, nanos, detached outputs}. */
        private final Map<String, Map<String, long[]>> table = new TreeMap<>();

        private Counting(OpExecutioner target, Field field) {
            this.target = target;
            this.field = field;
        }

        static Counting install() throws ReflectiveOperationException {
            Field f = Nd4j.class.getDeclaredField("OP_EXECUTIONER_INSTANCE");
            f.setAccessible(true);
            OpExecutioner real = (OpExecutioner) f.get(null);
            Counting h = new Counting(real, f);
            f.set(
                    null,
                    Proxy.newProxyInstance(
                            NativeCallCount.class.getClassLoader(), new Class<?>[] {OpExecutioner.class}, h));
            return h;
        }

        void uninstall() throws IllegalAccessException {
            field.set(null, target);
        }

        synchronized void reset() {
            table.clear();
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            int[] d = depth.get();
            boolean outer = d[0] == 0;
            boolean counted = !method.getDeclaringClass().equals(Object.class) && !isGetter(method.getName());
            String key = counted && outer ? where() : null;
            d[0]++;
            long t0 = System.nanoTime();
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                long dt = System.nanoTime() - t0;
                d[0]--;
                if (key != null) {
                    record(key, opName(method, args), dt, detachedOutputs(args));
                    if (STACKS != null && key.contains(STACKS)) {
                        recordStack(key + " " + opName(method, args));
                    }
                }
            }
        }

        /** With {@code -Dcount.stacks=<component>}, the call sites of that component's calls are printed too. */
        private static final String STACKS = System.getProperty("count.stacks");

        private final Map<String, long[]> stacks = new TreeMap<>();

        private synchronized void recordStack(String what) {
            String site = WALKER.walk(f -> f.filter(x -> !x.getClassName().contains("Proxy")
                            && !x.getClassName().contains("NativeCallCount"))
                    .limit(Integer.getInteger("count.depth", 7))
                    .map(x -> x.getClassName().substring(x.getClassName().lastIndexOf('.') + 1) + "."
                            + x.getMethodName() + ":" + x.getLineNumber())
                    .collect(java.util.stream.Collectors.joining(" < ")));
            stacks.computeIfAbsent(what + " @ " + site, k -> new long[1])[0]++;
        }

        synchronized void printStacks(int n) {
            stacks.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                    .limit(25)
                    .forEach(e -> System.out.printf("  %.1f  %s%n", (double) e.getValue()[0] / n, e.getKey()));
            stacks.clear();
        }

        private static boolean isGetter(String m) {
            return m.startsWith("get")
                    || m.startsWith("is")
                    || m.equals("type")
                    || m.equals("commit")
                    || m.equals("enableDebugMode")
                    || m.equals("enableVerboseMode")
                    || m.equals("profilingConfigurableHookIn")
                    || m.equals("profilingConfigurableHookOut");
        }

        private synchronized void record(String key, String op, long nanos, int detached) {
            long[] v = table.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(op, k -> new long[3]);
            v[0]++;
            v[1] += nanos;
            v[2] += detached;
        }

        private static String opName(Method m, Object[] args) {
            if (args != null) {
                for (Object a : args) {
                    if (a instanceof CustomOp op) {
                        return m.getName() + ":" + op.opName();
                    }
                    if (a instanceof Op op) {
                        return m.getName() + ":" + op.opName();
                    }
                }
            }
            return m.getName();
        }

        /** Outputs of the call that are neither in a workspace nor a view (of the parameters, say): fresh arrays. */
        private static int detachedOutputs(Object[] args) {
            int n = 0;
            if (args != null) {
                for (Object a : args) {
                    List<INDArray> outs = new ArrayList<>();
                    if (a instanceof CustomOp op) {
                        outs.addAll(Arrays.asList(op.outputArguments().toArray(new INDArray[0])));
                    } else if (a instanceof Op op && op.z() != null) {
                        outs.add(op.z());
                    }
                    for (INDArray o : outs) {
                        if (o != null && !o.isAttached() && !o.isView() && !o.isEmpty() && o.length() > 1) {
                            n++;
                        }
                    }
                }
            }
            return n;
        }

        private static final StackWalker WALKER = StackWalker.getInstance();

        /** The component that made the call, and whether in a forward pass, a backward pass or an update. */
        private static String where() {
            return WALKER.walk(frames -> {
                String component = null;
                String direction = null;
                for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                    String cls = f.getClassName();
                    String m = f.getMethodName();
                    if (component == null) {
                        component = component(cls);
                    }
                    if (direction == null) {
                        if (m.equals("backpropGradient")
                                || m.equals("doBackward")
                                || m.equals("calcBackpropGradients")) {
                            direction = "backward";
                        } else if (m.equals("activate")
                                || m.equals("doForward")
                                || m.startsWith("ffToLayerActivations")
                                || m.equals("outputOfLayersDetached")) {
                            direction = "forward";
                        } else if (cls.contains(".updater.")
                                || cls.contains("ClassicalMomentum")
                                || cls.contains("CoupledWeightDecay")
                                || cls.contains(".optimize.")) {
                            direction = "update";
                        }
                    }
                    if (component != null && direction != null) {
                        break;
                    }
                }
                return (component == null ? "other" : component) + " | " + (direction == null ? "-" : direction);
            });
        }

        private static String component(String cls) {
            String simple = cls.substring(cls.lastIndexOf('.') + 1);
            if (cls.startsWith("org.camloss.api.layers.FastConvolution") || cls.startsWith("org.camloss.engine.conv")) {
                return "convolution";
            }
            if (cls.startsWith("org.camloss.api.layers.FastBatchNorm")) {
                return "batch norm";
            }
            if (cls.startsWith("org.camloss.api.layers.AddReluVertex")) {
                return "add + ReLU";
            }
            if (cls.startsWith("org.camloss.api.layers.")) {
                return simple.replaceAll("\\$.*", "");
            }
            if (cls.startsWith("org.camloss.engine.head")
                    || cls.startsWith("org.camloss.api.loss")
                    || cls.startsWith("org.camloss.api.cam")
                    || cls.startsWith("org.camloss.losses")) {
                return "head (GAP, linear, loss)";
            }
            if (cls.contains("ClassicalMomentum")) {
                return "updater: momentum";
            }
            if (cls.contains("CoupledWeightDecay")) {
                return "weight decay listener";
            }
            if (cls.startsWith("org.deeplearning4j.nn.updater")) {
                return "updater: DL4J";
            }
            if (cls.startsWith("org.deeplearning4j.optimize")) {
                return "optimizer: DL4J";
            }
            if (cls.startsWith("org.deeplearning4j.nn.layers")
                    || cls.startsWith("org.deeplearning4j.nn.graph.vertex")) {
                return "DL4J " + simple.replaceAll("\\$.*", "");
            }
            if (cls.startsWith("org.deeplearning4j.nn.graph.ComputationGraph")) {
                return "graph (DL4J ComputationGraph)";
            }
            return null;
        }

        synchronized void print(String what, int n) {
            long calls = 0;
            long nanos = 0;
            long detached = 0;
            System.out.printf("%nND4J executioner calls per %s (mean over %d):%n", what, n);
            System.out.println("| component | pass | calls | ms | fresh outputs | calls by op |");
            System.out.println("|---|---|---|---|---|---|");
            for (var e : table.entrySet()) {
                long c = 0;
                long t = 0;
                long dt = 0;
                List<String> ops = new ArrayList<>();
                List<Map.Entry<String, long[]>> byCount =
                        new ArrayList<>(e.getValue().entrySet());
                byCount.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
                for (var o : byCount) {
                    c += o.getValue()[0];
                    t += o.getValue()[1];
                    dt += o.getValue()[2];
                    ops.add(String.format(
                            "%s %.1f (%.2f ms)", o.getKey(), (double) o.getValue()[0] / n, o.getValue()[1] / 1e6 / n));
                }
                String[] k = e.getKey().split(" \\| ");
                System.out.printf(
                        "| %s | %s | %.1f | %.2f | %.1f | %s |%n",
                        k[0], k[1], (double) c / n, t / 1e6 / n, (double) dt / n, String.join(", ", ops));
                calls += c;
                nanos += t;
                detached += dt;
            }
            System.out.printf(
                    "| **total** | | %.1f | %.2f | %.1f | |%n",
                    (double) calls / n, nanos / 1e6 / n, (double) detached / n);
        }
    }

    /**
     * ND4J's deallocator registrations (every data buffer and op context allocated outside a workspace registers
     * one) between {@link #start} and {@link #report}: how many, and of those still reachable, what and how large.
     */
    private static final class Allocations {
        private final long counter0;
        private final Set<String> ids0;

        private Allocations(long counter0, Set<String> ids0) {
            this.counter0 = counter0;
            this.ids0 = ids0;
        }

        static Allocations start() throws ReflectiveOperationException {
            return new Allocations(counter(), new HashSet<>(referenceMap().keySet()));
        }

        String report(int n) throws ReflectiveOperationException {
            long created = counter() - counter0;
            Map<String, long[]> kinds = new TreeMap<>();
            for (var e : referenceMap().entrySet()) {
                if (ids0.contains(e.getKey())) {
                    continue;
                }
                Object o = e.getValue().get();
                String kind = o == null
                        ? "collected"
                        : o.getClass().getSimpleName()
                                + (o instanceof org.nd4j.linalg.api.buffer.DataBuffer b && b.isAttached()
                                        ? " in a workspace"
                                        : o instanceof org.nd4j.linalg.api.buffer.DataBuffer
                                                ? " outside workspaces"
                                                : "");
                long bytes = o instanceof org.nd4j.linalg.api.buffer.DataBuffer b ? b.length() * b.getElementSize() : 0;
                if (o instanceof org.nd4j.linalg.api.buffer.DataBuffer b
                        && b.underlyingDataBuffer() != null
                        && b.underlyingDataBuffer() != b) {
                    kind = kind + " (a view's wrapper)";
                    bytes = 0;
                }
                long[] v = kinds.computeIfAbsent(kind, k -> new long[2]);
                v[0]++;
                v[1] += bytes;
            }
            StringBuilder sb = new StringBuilder(String.format("%.1f registrations", (double) created / n));
            kinds.forEach(
                    (k, v) -> sb.append(String.format("; %s %.1f (%.1f KB)", k, (double) v[0] / n, v[1] / 1024.0 / n)));
            return sb.toString();
        }

        private static long counter() throws ReflectiveOperationException {
            Field f = DeallocatorService.class.getDeclaredField("counter");
            f.setAccessible(true);
            return ((AtomicLong) f.get(Nd4j.getDeallocatorService())).get();
        }

        @SuppressWarnings("unchecked")
        private static Map<String, DeallocatableReference> referenceMap() throws ReflectiveOperationException {
            Field f = DeallocatorService.class.getDeclaredField("referenceMap");
            f.setAccessible(true);
            return Map.copyOf((Map<String, DeallocatableReference>) f.get(Nd4j.getDeallocatorService()));
        }
    }
}
