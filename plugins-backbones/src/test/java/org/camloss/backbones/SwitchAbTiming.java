package org.camloss.backbones;

import java.util.Arrays;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FoldedInference;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The in-JVM A/B behind {@link OneDnnForwardStepTiming} and {@link BatchNormStepTiming}: one ResNet-CIFAR model
 * (cross-entropy head, batch 128, one fixed random batch), two variants selected by a process-wide switch (a system
 * property) flipped between blocks of steps, so both see the same weights and batch. After {@code warmup} steps
 * (variants alternating), each round times {@code steps} training steps ({@code graph.fit}) or inference passes
 * ({@code graph.output(false, x)}, as {@code camloss bench} times them) of each variant, order alternating from round
 * to round, and keeps each variant's median; printed: every round, and the median of the per-round ratios B/A with
 * their range.
 */
final class SwitchAbTiming {
    private SwitchAbTiming() {}

    /** One side of the comparison: its label and how to select it. */
    record Variant(String label, Runnable select) {}

    /**
     * A training A/B from a harness's command line {@code depth size channels [rounds] [steps] [warm-up]} (defaults 6,
     * 20, 30). Run the JVM with {@code -Dorg.eclipse.deeplearning4j.helpers.disable=false}, as the tests do: without
     * it DL4J's helpers are off and a ResNet-8 step takes seconds.
     */
    static void training(String[] args, Variant a, Variant b) {
        run(
                true,
                Integer.parseInt(args[0]),
                Integer.parseInt(args[1]),
                Integer.parseInt(args[2]),
                args.length > 3 ? Integer.parseInt(args[3]) : 6,
                args.length > 4 ? Integer.parseInt(args[4]) : 20,
                args.length > 5 ? Integer.parseInt(args[5]) : 30,
                a,
                b);
    }

    static void run(
            boolean train, int depth, int size, int channels, int rounds, int steps, int warmup, Variant a, Variant b) {
        run(train, false, depth, size, channels, rounds, steps, warmup, a, b);
    }

    /**
     * As above; with {@code folded}, every inference pass runs inside its own {@link FoldedInference} scope (opened
     * and closed around the pass, as the evaluator does per batch).
     */
    static void run(
            boolean train,
            boolean folded,
            int depth,
            int size,
            int channels,
            int rounds,
            int steps,
            int warmup,
            Variant a,
            Variant b) {
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
        INDArray[] in = {x};
        INDArray[] out = {y};
        Variant[] variants = {a, b};
        if (folded) {
            for (int i = 0; i < 3; i++) { // statistics that are not the initial ones, as FoldedInferenceTiming
                g.fit(in, out);
            }
        }
        for (int i = 0; i < warmup; i++) {
            variants[i % 2].select().run();
            step(g, train, folded, in, out);
        }
        double[][] med = new double[2][rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < 2; j++) {
                int v = (j + r) % 2;
                variants[v].select().run();
                double[] t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    long t0 = System.nanoTime();
                    step(g, train, folded, in, out);
                    t[i] = (System.nanoTime() - t0) / 1e6;
                }
                med[v][r] = median(t);
            }
            ratio[r] = med[1][r] / med[0][r];
            System.out.printf(
                    "round %d: %s %.1f ms, %s %.1f ms, ratio %.3f%n",
                    r + 1, a.label(), med[0][r], b.label(), med[1][r], ratio[r]);
        }
        double[] s = ratio.clone();
        Arrays.sort(s);
        System.out.printf(
                "%s resnet-cifar depth %d %dx%dx%d batch %d, threads %d: %s %.1f ms, %s %.1f ms per step"
                        + " (median of round medians); ratio %s/%s median %.3f [%.3f–%.3f] over %d rounds of %d steps%n",
                train ? "train" : "infer",
                depth,
                size,
                size,
                channels,
                n,
                Nd4j.getEnvironment().maxMasterThreads(),
                a.label(),
                median(med[0]),
                b.label(),
                median(med[1]),
                b.label(),
                a.label(),
                median(ratio),
                s[0],
                s[s.length - 1],
                rounds,
                steps);
    }

    private static void step(ComputationGraph g, boolean train, boolean folded, INDArray[] in, INDArray[] out) {
        if (train) {
            g.fit(in, out);
        } else if (folded) {
            try (FoldedInference f = FoldedInference.open(g)) {
                g.output(false, in);
            }
        } else {
            g.output(false, in);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
