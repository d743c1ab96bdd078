package org.camloss.cli.bench;

import java.util.Arrays;
import java.util.Map;
import org.camloss.api.layers.FoldedInference;
import org.camloss.engine.Backend;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Why a cross-entropy-trained bench model infers slower than a CAM-loss-trained one: both models as {@code bench}
 * trains them (70 steps on the bench batch), the share of subnormal floats in their parameters and activations, and
 * their folded inference passes timed in one JVM, alternating blocks. Not a test: run with {@code java -cp <cli test
 * class path> org.camloss.cli.bench.InferenceLevelProbe [depth HxWxC rounds passes train-steps]}.
 */
public final class InferenceLevelProbe {
    private InferenceLevelProbe() {}

    public static void main(String[] args) {
        int depth = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        String[] input = (args.length > 1 ? args[1] : "28x28x1").split("x");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        int trainSteps = args.length > 4 ? Integer.parseInt(args[4]) : 70;
        Backend.init();
        PluginRegistry registry = PluginRegistry.discover(InferenceLevelProbe.class.getClassLoader());
        String[] losses = {"cross-entropy", "cam-loss"};
        CamModel[] models = new CamModel[2];
        INDArray[] xs = null;
        for (int m = 0; m < 2; m++) {
            BenchCase c = new BenchCase(
                    "resnet-cifar",
                    depth,
                    Integer.parseInt(input[0]),
                    Integer.parseInt(input[1]),
                    Integer.parseInt(input[2]),
                    128,
                    losses[m]);
            BenchBatch batch = BenchBatch.of(registry, "auto", c);
            models[m] = Benchmark.assemble(
                    c,
                    registry.find(PluginKind.BACKBONE, c.backbone()).orElseThrow(),
                    registry.find(PluginKind.LOSS, c.loss()).orElseThrow());
            xs = new INDArray[] {batch.x()};
            INDArray[] ys = {batch.oneHot()};
            for (int i = 0; i < trainSteps; i++) {
                models[m].graph().fit(xs, ys);
            }
            System.out.printf(
                    "%s (%s): %d vertices; parameters: %s%n",
                    losses[m],
                    batch.source(),
                    models[m].graph().getVertices().length,
                    census(models[m].graph().params()));
            Map<String, INDArray> acts = models[m].graph().feedForward(xs, false);
            long sub = 0;
            long zero = 0;
            long total = 0;
            for (Map.Entry<String, INDArray> e : acts.entrySet()) {
                long[] c3 = counts(e.getValue());
                sub += c3[0];
                zero += c3[1];
                total += c3[2];
                if (c3[0] > 0) {
                    System.out.printf("  %s: %s%n", e.getKey(), census(e.getValue()));
                }
            }
            System.out.printf(
                    "  activations (feedForward, all vertices): %d of %d subnormal (%.4f %%), %.1f %% zeros%n",
                    sub, total, 100.0 * sub / total, 100.0 * zero / total);
        }
        final INDArray[] in = xs;
        for (int i = 0; i < 60; i++) {
            for (CamModel m : models) {
                try (FoldedInference f = FoldedInference.open(m.graph())) {
                    m.graph().output(false, in);
                }
            }
        }
        double[][] med = new double[2][rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < 2; j++) {
                int v = (j + r) % 2;
                double[] t = new double[passes];
                try (FoldedInference f = FoldedInference.open(models[v].graph())) {
                    for (int i = 0; i < passes; i++) {
                        long t0 = System.nanoTime();
                        models[v].graph().output(false, in);
                        t[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                med[v][r] = median(t);
            }
            ratio[r] = med[0][r] / med[1][r];
            System.out.printf(
                    "round %d: cross-entropy %.2f ms, cam-loss %.2f ms, ratio %.3f%n",
                    r + 1, med[0][r], med[1][r], ratio[r]);
        }
        double[] s = ratio.clone();
        Arrays.sort(s);
        System.out.printf(
                "folded pass, %d threads: cross-entropy %.2f ms, cam-loss %.2f ms; ce/cam median %.3f [%.3f–%.3f]%n",
                Backend.threads(), median(med[0]), median(med[1]), median(ratio), s[0], s[s.length - 1]);
    }

    /** {subnormal, zero, total} float counts of {@code a}. */
    static long[] counts(INDArray a) {
        float[] v = a.dup().data().asFloat();
        long sub = 0;
        long zero = 0;
        for (float f : v) {
            if (f == 0) {
                zero++;
            } else if (Math.abs(f) < Float.MIN_NORMAL) {
                sub++;
            }
        }
        return new long[] {sub, zero, v.length};
    }

    static String census(INDArray a) {
        long[] c = counts(a);
        return String.format(
                "%d of %d subnormal (%.4f %%), %.1f %% zeros", c[0], c[2], 100.0 * c[0] / c[2], 100.0 * c[1] / c[2]);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
