package org.camloss.backbones;

import java.util.Arrays;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FastConvolutionPaths;
import org.camloss.api.layers.FoldedInference;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * In-JVM A/B of an inference pass ({@code graph.output(false, x)}, as {@code camloss bench} times it; cross-entropy
 * head, batch 128, one fixed random batch, after 3 training steps so that the batch norms' statistics are not the
 * initial ones) unfused (A: outside a scope, every convolution on its oneDNN plan and every batch norm on its own) and
 * with the batch norms folded into their convolutions (B: inside {@link FoldedInference}). One model; each round times
 * {@code steps} passes of each (order alternating), keeps each variant's median, and the result is the median of the
 * per-round ratios B/A with their range. Also times the fold alone (the per-pass scale, shift and folded weights of
 * every pair, {@code FastConvolutionLayer.fold}) and the same arithmetic as ND4J operations in a workspace. Not a test: run with {@code java -cp <backbones test
 * class path> org.camloss.backbones.FoldedInferenceTiming depth size channels [rounds] [steps] [warm-up]}.
 */
public final class FoldedInferenceTiming {
    private FoldedInferenceTiming() {}

    public static void main(String[] args) {
        int depth = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        int channels = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 30;
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
        for (int i = 0; i < warmup; i++) {
            run(g, in, i % 2 == 1);
        }
        double[][] med = new double[2][rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < 2; j++) {
                int v = (j + r) % 2;
                double[] t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    long t0 = System.nanoTime();
                    run(g, in, v == 1);
                    t[i] = (System.nanoTime() - t0) / 1e6;
                }
                med[v][r] = median(t);
            }
            ratio[r] = med[1][r] / med[0][r];
            System.out.printf(
                    "round %d: unfused %.2f ms, folded %.2f ms, ratio %.3f%n", r + 1, med[0][r], med[1][r], ratio[r]);
        }
        try (FoldedInference f = FoldedInference.open(g)) {
            g.output(false, in);
            System.out.println(
                    f.pairs() + " pairs, folded on: " + new java.util.TreeSet<>(FastConvolutionPaths.folded(g)));
        }
        double[] s = ratio.clone();
        Arrays.sort(s);
        System.out.printf(
                "infer resnet-cifar depth %d %dx%dx%d batch %d, threads %d: unfused %.2f ms, folded %.2f ms per pass"
                        + " (median of round medians); ratio folded/unfused median %.3f [%.3f–%.3f] over %d rounds of"
                        + " %d passes; the fold alone %.3f ms per pass (as ND4J operations %.3f ms)%n",
                depth,
                size,
                size,
                channels,
                n,
                Nd4j.getEnvironment().maxThreads(),
                median(med[0]),
                median(med[1]),
                median(ratio),
                s[0],
                s[s.length - 1],
                rounds,
                steps,
                FastConvolutionPaths.foldMillis(g, 200),
                foldArithmeticNd4j(g));
    }

    private static void run(ComputationGraph g, INDArray[] in, boolean folded) {
        if (folded) {
            try (FoldedInference f = FoldedInference.open(g)) {
                g.output(false, in);
            }
        } else {
            g.output(false, in);
        }
    }

    /** Median ms of the same fold as ND4J operations (the first version): about ten small operations per pair. */
    private static double foldArithmeticNd4j(ComputationGraph g) {
        WorkspaceConfiguration conf =
                WorkspaceConfiguration.builder().initialSize(8 << 20).build();
        double[] t = new double[200];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "FOLD_TIMING")) {
                for (Layer l : g.getLayers()) {
                    if (!(l instanceof BatchNormalization)
                            || l.conf().getLayer().getLayerName().equals("final_bn")) {
                        continue;
                    }
                    String conv = l.conf().getLayer().getLayerName().replace("_bn", "_conv");
                    INDArray w = g.getLayer(conv).getParam("W");
                    long c = w.size(0);
                    INDArray scale = Nd4j.createUninitialized(DataType.FLOAT, c);
                    Transforms.pow(scale.assign(100.0), l.getParam("log10stdev").reshape(c), false);
                    scale.addi(1e-5);
                    Transforms.pow(scale, -0.5, false);
                    scale.muli(l.getParam("gamma").reshape(c));
                    INDArray shift = Nd4j.createUninitialized(DataType.FLOAT, c);
                    shift.assign(l.getParam("mean").reshape(c)).negi();
                    shift.muli(scale).addi(l.getParam("beta").reshape(c));
                    INDArray wf = Nd4j.createUninitialized(DataType.FLOAT, w.shape());
                    Nd4j.exec(new BroadcastMulOp(w, scale, wf, 0));
                }
            }
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(Arrays.copyOfRange(t, 50, t.length));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
