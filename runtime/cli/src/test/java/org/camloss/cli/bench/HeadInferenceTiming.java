package org.camloss.cli.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.camloss.api.InputShape;
import org.camloss.api.LossFactory;
import org.camloss.api.Params;
import org.camloss.engine.Backend;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.engine.optim.ClassicalMomentum;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * In-JVM A/B of the head's inference: two copies of one model (same seed, same parameters), the head computing its
 * probabilities without SameDiff ({@code CamHeadLayer.activate}'s kernel path) in one and by its SameDiff graph in the
 * other (kernels switched off after any training steps, so its graph is defined anew without them). Each round times {@code reps} whole inference passes ({@code ComputationGraph.output}) of each,
 * then {@code reps} calls of the head layer alone on the feature map, alternating the order; the table gives the
 * median over rounds of each round's median and the median [min–max] of the per-round ratios. Not a test: run with
 * {@code java -cp <cli test class path> org.camloss.cli.bench.HeadInferenceTiming [backbone depth HxWxC loss rounds reps
 * train-steps]}; with train-steps both models first take that many training steps (on the kernels) on the batch.
 */
public final class HeadInferenceTiming {
    private HeadInferenceTiming() {}

    public static void main(String[] args) {
        String backbone = args.length > 0 ? args[0] : "resnet-cifar";
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String[] input = (args.length > 2 ? args[2] : "28x28x1").split("x");
        String loss = args.length > 3 ? args[3] : "cam-loss";
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 9;
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 40;
        int trainSteps = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        Backend.init();
        PluginRegistry registry = PluginRegistry.discover(HeadInferenceTiming.class.getClassLoader());
        BenchCase c = new BenchCase(
                backbone,
                depth,
                Integer.parseInt(input[0]),
                Integer.parseInt(input[1]),
                Integer.parseInt(input[2]),
                128,
                loss);
        BenchBatch batch = BenchBatch.of(registry, "auto", c);
        CamModel kernels = assemble(registry, c);
        CamModel sameDiff = assemble(registry, c);
        INDArray[] xs = {batch.x()};
        INDArray[] ys = {batch.oneHot()};
        for (int i = 0; i < trainSteps; i++) {
            kernels.graph().fit(xs, ys);
            sameDiff.graph().fit(xs, ys);
        }
        // as the head inferred before 2026-11-30: by its SameDiff graph, defined anew with kernels off
        sameDiff.objective().useKernels(false);
        sameDiff.headLayer().redefine();
        double paramDiff = kernels.graph()
                .params()
                .sub(sameDiff.graph().params())
                .amaxNumber()
                .doubleValue();
        INDArray p1 = kernels.graph().output(false, xs)[0];
        INDArray p2 = sameDiff.graph().output(false, xs)[0];
        if (!kernels.headLayer().infersOnKernels() || sameDiff.headLayer().infersOnKernels()) {
            throw new IllegalStateException("the models do not take the paths they should");
        }
        INDArray features = kernels.graph()
                .output(List.of(kernels.featureVertex()), false, xs, null)[0]
                .dup();
        System.out.printf(
                "%s-%d %s %s, batch 128 (%s), %d threads, %d training steps first, %d rounds x %d reps; "
                        + "max |parameter difference| = %.3g, max |p_kernels - p_SameDiff| = %.3g%n",
                backbone,
                depth,
                c.input(),
                loss,
                batch.source(),
                Backend.threads(),
                trainSteps,
                rounds,
                reps,
                paramDiff,
                p1.sub(p2).amaxNumber().doubleValue());
        for (int i = 0; i < 50; i++) {
            kernels.graph().output(false, xs);
            sameDiff.graph().output(false, xs);
        }
        double[][] whole = new double[2][rounds];
        double[][] head = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            boolean kernelsFirst = r % 2 == 0;
            for (int v = 0; v < 2; v++) {
                boolean k = (v == 0) == kernelsFirst;
                CamModel m = k ? kernels : sameDiff;
                whole[k ? 0 : 1][r] = medianMs(reps, () -> m.graph().output(false, xs));
            }
            for (int v = 0; v < 2; v++) {
                boolean k = (v == 0) == kernelsFirst;
                CamModel m = k ? kernels : sameDiff;
                head[k ? 0 : 1][r] =
                        medianMs(reps, () -> m.headLayer().activate(features, false, LayerWorkspaceMgr.noWorkspaces()));
            }
        }
        System.out.println("| ms per call | kernels (no SameDiff) | SameDiff | kernels / SameDiff |");
        System.out.println("|---|---|---|---|");
        row("whole inference pass", whole);
        row("head layer alone", head);
    }

    private static void row(String what, double[][] t) {
        double[] ratio = new double[t[0].length];
        for (int i = 0; i < ratio.length; i++) {
            ratio[i] = t[0][i] / t[1][i];
        }
        System.out.printf(
                "| %s | %.3f | %.3f | %.3f [%.3f–%.3f] |%n",
                what,
                Benchmark.median(t[0]),
                Benchmark.median(t[1]),
                Benchmark.median(ratio),
                Arrays.stream(ratio).min().orElseThrow(),
                Arrays.stream(ratio).max().orElseThrow());
    }

    private static double medianMs(int reps, Runnable call) {
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        return Benchmark.median(ms);
    }

    private static CamModel assemble(PluginRegistry registry, BenchCase c) {
        Map<String, Object> bp = new java.util.LinkedHashMap<>();
        bp.put("depth", c.depth());
        var bf = registry.find(PluginKind.BACKBONE, c.backbone()).orElseThrow();
        LossFactory lf = registry.find(PluginKind.LOSS, c.loss()).orElseThrow();
        return new ModelAssembler()
                .seed(1)
                .updater(new ClassicalMomentum(Benchmark.LEARNING_RATE, null, Benchmark.MOMENTUM, false))
                .assemble(
                        bf.create(Params.resolve(bf.params(), bp)),
                        new InputShape(c.channels(), c.height(), c.width()),
                        10,
                        Objective.of(lf.create(Params.defaults(lf.params()))));
    }
}
