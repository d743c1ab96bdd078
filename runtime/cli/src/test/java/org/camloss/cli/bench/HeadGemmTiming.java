package org.camloss.cli.bench;

import java.util.Arrays;
import org.camloss.api.layers.FoldedInference;
import org.camloss.engine.Backend;
import org.camloss.engine.head.CamHeadLayer;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * In-JVM A/B of the head's inference inside {@code bench}'s folded pass: one model as {@code bench} trains it
 * (its loss's kernels, the bench batch), {@value CamHeadLayer#INFERENCE_PROPERTY}{@code =ops} (ND4J's mean, product,
 * bias add, softmax) against {@code gemm} (one product and a host loop), flipped between blocks of passes inside
 * one {@link FoldedInference} scope, order alternating per round; prints each round's medians, the median [min–max]
 * of the per-round ratios gemm/ops, and the largest output difference. Not a test: run with {@code java -cp <cli test
 * class path> org.camloss.cli.bench.HeadGemmTiming [depth HxWxC loss rounds passes train-steps]}.
 */
public final class HeadGemmTiming {
    private HeadGemmTiming() {}

    public static void main(String[] args) {
        int depth = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        String[] input = (args.length > 1 ? args[1] : "28x28x1").split("x");
        String loss = args.length > 2 ? args[2] : "cross-entropy";
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 12;
        int passes = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        int trainSteps = args.length > 5 ? Integer.parseInt(args[5]) : 70;
        Backend.init();
        PluginRegistry registry = PluginRegistry.discover(HeadGemmTiming.class.getClassLoader());
        BenchCase c = new BenchCase(
                "resnet-cifar",
                depth,
                Integer.parseInt(input[0]),
                Integer.parseInt(input[1]),
                Integer.parseInt(input[2]),
                128,
                loss);
        BenchBatch batch = BenchBatch.of(registry, "auto", c);
        CamModel model = Benchmark.assemble(
                c,
                registry.find(PluginKind.BACKBONE, c.backbone()).orElseThrow(),
                registry.find(PluginKind.LOSS, c.loss()).orElseThrow());
        INDArray[] xs = {batch.x()};
        INDArray[] ys = {batch.oneHot()};
        for (int i = 0; i < trainSteps; i++) {
            model.graph().fit(xs, ys);
        }
        String[] modes = {"ops", "gemm"};
        double[][] med = new double[2][rounds];
        double[] ratio = new double[rounds];
        try (FoldedInference folded = FoldedInference.open(model.graph())) {
            System.setProperty(CamHeadLayer.INFERENCE_PROPERTY, "ops");
            INDArray a = model.graph().output(false, xs)[0].dup();
            System.setProperty(CamHeadLayer.INFERENCE_PROPERTY, "gemm");
            INDArray b = model.graph().output(false, xs)[0].dup();
            System.out.printf(
                    "resnet-cifar-%d %s %s (%s), %d threads: max |p_gemm - p_ops| = %.3g%n",
                    depth,
                    c.input(),
                    loss,
                    batch.source(),
                    Backend.threads(),
                    a.sub(b).amaxNumber().doubleValue());
            for (int i = 0; i < 80; i++) {
                System.setProperty(CamHeadLayer.INFERENCE_PROPERTY, modes[i % 2]);
                model.graph().output(false, xs);
            }
            for (int r = 0; r < rounds; r++) {
                for (int j = 0; j < 2; j++) {
                    int v = (j + r) % 2;
                    System.setProperty(CamHeadLayer.INFERENCE_PROPERTY, modes[v]);
                    double[] t = new double[passes];
                    for (int i = 0; i < passes; i++) {
                        long t0 = System.nanoTime();
                        model.graph().output(false, xs);
                        t[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    med[v][r] = InferenceLevelProbe.median(t);
                }
                ratio[r] = med[1][r] / med[0][r];
                System.out.printf(
                        "round %d: ops %.3f ms, gemm %.3f ms, ratio %.3f%n", r + 1, med[0][r], med[1][r], ratio[r]);
            }
        }
        double[] s = ratio.clone();
        Arrays.sort(s);
        System.out.printf(
                "folded pass: ops %.3f ms, gemm %.3f ms (median of round medians); gemm/ops median %.3f [%.3f–%.3f]"
                        + " over %d rounds of %d passes%n",
                InferenceLevelProbe.median(med[0]),
                InferenceLevelProbe.median(med[1]),
                InferenceLevelProbe.median(ratio),
                s[0],
                s[s.length - 1],
                rounds,
                passes);
    }
}
