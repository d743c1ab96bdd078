package org.camloss.cli.bench;

import java.util.Arrays;
import org.camloss.api.BackboneFactory;
import org.camloss.api.LossFactory;
import org.camloss.engine.Backend;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.optim.HostGraphUpdater;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * In-JVM A/B of the graph's update: {@code bench}'s model (cross-entropy, the {@code auto} batch of the given size),
 * stepped with DL4J's updater ({@value HostGraphUpdater#PROPERTY}{@code =dl4j}, A) and with {@link HostGraphUpdater}'s
 * host loop (B), the switch flipped between blocks of {@code steps} steps (order swapped every round) so that both
 * see the same weights and batch; each round keeps each side's median step time, and the result is the median over
 * rounds and the median [min–max] of the per-round ratios B/A. Not a test: run with {@code java -cp <cli test class
 * path> org.camloss.cli.bench.UpdaterSwitchTiming [backbone depth HxWxC batch rounds steps warm-up]}.
 */
public final class UpdaterSwitchTiming {
    private UpdaterSwitchTiming() {}

    public static void main(String[] args) {
        String backbone = args.length > 0 ? args[0] : "resnet-cifar";
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String[] input = (args.length > 2 ? args[2] : "32x32x3").split("x");
        int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 9;
        int steps = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 30;
        Backend.init();
        PluginRegistry registry = PluginRegistry.discover(UpdaterSwitchTiming.class.getClassLoader());
        BenchCase c = new BenchCase(
                backbone,
                depth,
                Integer.parseInt(input[0]),
                Integer.parseInt(input[1]),
                Integer.parseInt(input[2]),
                batchSize,
                "cross-entropy");
        BackboneFactory bf = registry.find(PluginKind.BACKBONE, backbone).orElseThrow();
        LossFactory lf = registry.find(PluginKind.LOSS, "cross-entropy").orElseThrow();
        BenchBatch batch = BenchBatch.of(registry, "auto", c);
        INDArray[] xs = {batch.x()};
        INDArray[] ys = {batch.oneHot()};
        CamModel m = Benchmark.assemble(c, bf, lf);
        if (!(m.graph().getUpdater() instanceof HostGraphUpdater h && h.takesOver())) {
            throw new IllegalStateException("bench's model does not update through HostGraphUpdater");
        }
        String[] side = {"dl4j", "host"};
        for (int i = 0; i < warmup; i++) {
            System.setProperty(HostGraphUpdater.PROPERTY, side[i % 2]);
            m.graph().fit(xs, ys);
        }
        double[][] med = new double[2][rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < 2; j++) {
                int v = (j + r) % 2;
                System.setProperty(HostGraphUpdater.PROPERTY, side[v]);
                double[] t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    long s = System.nanoTime();
                    m.graph().fit(xs, ys);
                    t[i] = (System.nanoTime() - s) / 1e6;
                }
                med[v][r] = median(t);
            }
            ratio[r] = med[1][r] / med[0][r];
            System.out.printf(
                    "round %d: DL4J's updater %.2f ms, host loop %.2f ms, ratio %.3f%n",
                    r + 1, med[0][r], med[1][r], ratio[r]);
        }
        double[] s = ratio.clone();
        Arrays.sort(s);
        System.out.printf(
                "%s-%d %s batch %d, %d threads: DL4J's updater %.2f ms, host loop %.2f ms per training step (median of"
                        + " round medians); ratio host/DL4J median %.3f [%.3f-%.3f] over %d rounds of %d steps a side%n",
                backbone,
                depth,
                c.input(),
                batchSize,
                Backend.threads(),
                median(med[0]),
                median(med[1]),
                median(ratio),
                s[0],
                s[s.length - 1],
                rounds,
                steps);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
