package org.camloss.backbones;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FastConvolutionPaths;
import org.camloss.api.layers.FoldedInference;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where one folded inference pass's time goes, per vertex: {@code graph.output(false, x)} inside one
 * {@link FoldedInference} scope (as {@code camloss bench} runs its inference passes; cross-entropy head, batch 128, one
 * fixed random batch, after 3 training steps), with every vertex of the graph replaced by a {@link Proxy} that times
 * its {@code doForward} (wall time, {@code System.nanoTime}); what a pass takes beyond the sum of the vertices' times
 * is DL4J's graph (topological walk, inputs handed on, workspaces opened and closed). Vertices are grouped by kind
 * (the name's suffix) and the per-pass medians are summed per group. Also prints the unwrapped pass time in the same
 * JVM (alternating blocks) to show what the proxies add. Not a test: run with {@code java -cp <backbones test class
 * path> org.camloss.backbones.InferenceVertexProfile depth size channels [rounds] [passes] [warm-up]}.
 */
public final class InferenceVertexProfile {
    private InferenceVertexProfile() {}

    public static void main(String[] args) throws Exception {
        int depth = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        int channels = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        int passes = args.length > 4 ? Integer.parseInt(args[4]) : 40;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 40;
        int n = 128;
        Backbone backbone = Support.create(new ResNetCifarFactory(), Map.of(ResNetCifarFactory.DEPTH, depth));
        ComputationGraph g = Support.model(backbone, new InputShape(channels, size, size), 10)
                .graph();
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, size, size, channels);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 10, 1.0);
        }
        for (int i = 0; i < 3; i++) {
            g.fit(new INDArray[] {x}, new INDArray[] {y});
        }
        INDArray[] in = {x};
        GraphVertex[] vertices = g.getVertices();
        GraphVertex[] plain = vertices.clone();
        GraphVertex[] timed = new GraphVertex[vertices.length];
        Map<String, long[]> nanos = new LinkedHashMap<>(); // vertex → per-pass time of its doForward
        long[] current = new long[vertices.length];
        for (int i = 0; i < vertices.length; i++) {
            final int idx = i;
            GraphVertex v = vertices[i];
            InvocationHandler h = (proxy, m, a) -> invoke(v, m, a, current, idx);
            timed[i] = (GraphVertex)
                    Proxy.newProxyInstance(GraphVertex.class.getClassLoader(), new Class<?>[] {GraphVertex.class}, h);
        }
        try (FoldedInference folded = FoldedInference.open(g)) {
            for (int i = 0; i < warmup; i++) {
                g.output(false, in);
            }
            int total = rounds * passes;
            long[][] perVertex = new long[vertices.length][total];
            long[] pass = new long[total];
            long[] plainPass = new long[total];
            int k = 0;
            int kp = 0;
            for (int r = 0; r < rounds; r++) {
                for (int j = 0; j < 2; j++) {
                    boolean wrapped = (j + r) % 2 == 0;
                    System.arraycopy(wrapped ? timed : plain, 0, vertices, 0, vertices.length);
                    long[] block = new long[passes];
                    for (int i = 0; i < passes; i++) {
                        Arrays.fill(current, 0);
                        long t0 = System.nanoTime();
                        g.output(false, in);
                        long t = System.nanoTime() - t0;
                        block[i] = t;
                        if (wrapped) {
                            pass[k] = t;
                            for (int v = 0; v < vertices.length; v++) {
                                perVertex[v][k] = current[v];
                            }
                            k++;
                        } else {
                            plainPass[kp++] = t;
                        }
                    }
                    System.out.printf(
                            "round %d %s: %.2f ms%n", r + 1, wrapped ? "timed" : "plain", median(block) / 1e6);
                }
            }
            System.arraycopy(plain, 0, vertices, 0, vertices.length);
            System.out.println("output slots: " + FastConvolutionPaths.outputSlots(g) + ", "
                    + FastConvolutionPaths.outputSlotElements(g) + " floats");
            System.out.println(
                    folded.pairs() + " pairs, folded on: " + new java.util.TreeSet<>(FastConvolutionPaths.folded(g)));
            Map<String, double[]> groups = new TreeMap<>();
            double vertexSum = 0;
            System.out.println("vertex\tms (median per pass)");
            for (int v = 0; v < vertices.length; v++) {
                double ms = median(perVertex[v]) / 1e6;
                vertexSum += ms;
                String name = vertices[v].getVertexName();
                System.out.printf("%s\t%.4f%n", name, ms);
                groups.computeIfAbsent(kind(name), s -> new double[2])[0] += ms;
                groups.get(kind(name))[1]++;
            }
            double p = median(pass) / 1e6;
            System.out.printf(
                    "%nresnet-cifar depth %d %dx%dx%d batch %d threads %d: pass %.3f ms wrapped, %.3f ms unwrapped"
                            + " (medians of %d passes each, alternating blocks)%n",
                    depth,
                    size,
                    size,
                    channels,
                    n,
                    Nd4j.getEnvironment().maxMasterThreads(),
                    p,
                    median(plainPass) / 1e6,
                    total);
            System.out.println("group\tvertices\tms\tshare of wrapped pass");
            for (Map.Entry<String, double[]> e : groups.entrySet()) {
                System.out.printf(
                        "%s\t%d\t%.3f\t%.1f %%%n",
                        e.getKey(), (int) e.getValue()[1], e.getValue()[0], 100 * e.getValue()[0] / p);
            }
            System.out.printf(
                    "DL4J graph (pass − vertices)\t\t%.3f\t%.1f %%%n", p - vertexSum, 100 * (p - vertexSum) / p);
            System.out.printf("the fold alone (Java, all pairs)\t\t%.3f%n", FastConvolutionPaths.foldMillis(g, 200));
        }
    }

    private static Object invoke(GraphVertex v, Method m, Object[] a, long[] current, int idx) throws Throwable {
        boolean fwd = m.getName().equals("doForward");
        long t0 = fwd ? System.nanoTime() : 0;
        try {
            return m.invoke(v, a);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            if (fwd) {
                current[idx] += System.nanoTime() - t0;
            }
        }
    }

    /** The vertex's kind, from camloss's naming. */
    private static String kind(String name) {
        if (name.equals("stem_conv")) {
            return "conv stem (folded + relu)";
        }
        if (name.endsWith("_conv1")) {
            return "conv1 (folded + relu)";
        }
        if (name.endsWith("_conv2")) {
            return "conv2 (folded)";
        }
        if (name.endsWith("_proj_conv")) {
            return "conv projection 1x1 (folded)";
        }
        if (name.endsWith("_bn") || name.endsWith("_bn1") || name.endsWith("_bn2")) {
            return "batch norm (passes through)";
        }
        if (name.endsWith("_relu") || name.endsWith("_add")) {
            return "add + relu";
        }
        return "other: " + name;
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2.0;
    }
}
