package org.camloss.backbones;

import java.util.Arrays;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FastBatchNormLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * In-JVM A/B of a whole training step ({@code graph.fit}, cross-entropy head, batch 128, one fixed random batch) with
 * batch norm's training passes on the layer's own path ({@value FastBatchNormLayer#PROPERTY}{@code =dl4j}, A) and on
 * the engine's oneDNN batch-normalization primitives (B); convolutions on the engine's primitives in both. One model,
 * the switch flipped between blocks of steps, so both variants see the same weights and batch; each round times
 * {@code steps} steps of each (order alternating), keeps each variant's median, and the result is the median of the
 * per-round ratios B/A with their range. Not a test: run with {@code java -cp <backbones test class path>
 * org.camloss.backbones.BatchNormStepTiming depth size channels [rounds] [steps] [warm-up]}.
 */
public final class BatchNormStepTiming {
    private BatchNormStepTiming() {}

    public static void main(String[] args) {
        boolean train = true;
        int depth = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        int channels = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6;
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
        INDArray[] in = {x};
        INDArray[] out = {y};
        for (int i = 0; i < warmup; i++) {
            set(i % 2 == 0);
            run(g, train, in, out);
        }
        double[][] med = new double[2][rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < 2; j++) {
                int v = (j + r) % 2;
                set(v == 0);
                double[] t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    long t0 = System.nanoTime();
                    run(g, train, in, out);
                    t[i] = (System.nanoTime() - t0) / 1e6;
                }
                med[v][r] = median(t);
            }
            ratio[r] = med[1][r] / med[0][r];
            System.out.printf(
                    "round %d: own %.1f ms, oneDNN %.1f ms, ratio %.3f%n", r + 1, med[0][r], med[1][r], ratio[r]);
        }
        double[] s = ratio.clone();
        Arrays.sort(s);
        System.out.printf(
                "%s resnet-cifar depth %d %dx%dx%d batch %d, threads %d: own batch norm %.1f ms, oneDNN %.1f ms per step"
                        + " (median of round medians); ratio oneDNN/own median %.3f [%.3f–%.3f] over %d rounds of %d steps%n",
                train ? "train" : "infer",
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
                steps);
    }

    private static void run(ComputationGraph g, boolean train, INDArray[] in, INDArray[] out) {
        if (train) {
            g.fit(in, out);
        } else {
            g.output(false, in);
        }
    }

    private static void set(boolean own) {
        if (own) {
            System.setProperty(FastBatchNormLayer.PROPERTY, "dl4j");
        } else {
            System.setProperty(FastBatchNormLayer.PROPERTY, "onednn");
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
