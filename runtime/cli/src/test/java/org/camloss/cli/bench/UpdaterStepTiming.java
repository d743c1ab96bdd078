package org.camloss.cli.bench;

import java.util.Arrays;
import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.api.InputShape;
import org.camloss.api.LossFactory;
import org.camloss.api.Params;
import org.camloss.engine.Backend;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * In-JVM A/B of the optimizer's step: two copies of {@code bench}'s model (same seed and batch), A with the momentum and
 * weight decay on ND4J ops as before {@code HostLoops} ({@link OpsClassicalMomentum}, a listener adding {@code w.mul(λB)}),
 * B with camloss's {@code ClassicalMomentum} and {@code CoupledWeightDecay}; stepped alternately (order swapped every
 * round), each round's median step time per copy, then the median over rounds and the median [min–max] of the
 * per-round ratios B/A. Not a test: run with {@code java -cp <cli test class path>
 * org.camloss.cli.bench.UpdaterStepTiming [backbone depth HxWxC rounds steps warm-up]}.
 */
public final class UpdaterStepTiming {
    private UpdaterStepTiming() {}

    public static void main(String[] args) {
        String backbone = args.length > 0 ? args[0] : "resnet-cifar";
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String[] input = (args.length > 2 ? args[2] : "32x32x3").split("x");
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 9;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 30;
        Backend.init();
        PluginRegistry registry = PluginRegistry.discover(UpdaterStepTiming.class.getClassLoader());
        BenchCase c = new BenchCase(
                backbone,
                depth,
                Integer.parseInt(input[0]),
                Integer.parseInt(input[1]),
                Integer.parseInt(input[2]),
                128,
                "cross-entropy");
        BackboneFactory bf = registry.find(PluginKind.BACKBONE, backbone).orElseThrow();
        LossFactory lf = registry.find(PluginKind.LOSS, "cross-entropy").orElseThrow();
        BenchBatch batch = BenchBatch.of(registry, "auto", c);
        INDArray[] xs = {batch.x()};
        INDArray[] ys = {batch.oneHot()};
        CamModel[] m = {opsModel(c, bf, lf), Benchmark.assemble(c, bf, lf)};
        for (int i = 0; i < warmup; i++) {
            m[0].graph().fit(xs, ys);
            m[1].graph().fit(xs, ys);
        }
        double[][] med = new double[2][rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[][] t = new double[2][steps];
            for (int i = 0; i < steps; i++) {
                for (int j = 0; j < 2; j++) {
                    int v = (j + r) % 2;
                    long s = System.nanoTime();
                    m[v].graph().fit(xs, ys);
                    t[v][i] = (System.nanoTime() - s) / 1e6;
                }
            }
            med[0][r] = median(t[0]);
            med[1][r] = median(t[1]);
            ratio[r] = med[1][r] / med[0][r];
            System.out.printf(
                    "round %d: ND4J ops %.1f ms, host loops %.1f ms, ratio %.3f%n",
                    r + 1, med[0][r], med[1][r], ratio[r]);
        }
        double[] s = ratio.clone();
        Arrays.sort(s);
        System.out.printf(
                "%s-%d %s batch 128, %d threads: ND4J ops %.1f ms, host loops %.1f ms per training step (median of round"
                        + " medians); ratio median %.3f [%.3f-%.3f] over %d rounds of %d alternating steps%n",
                backbone,
                depth,
                c.input(),
                Backend.threads(),
                median(med[0]),
                median(med[1]),
                median(ratio),
                s[0],
                s[s.length - 1],
                rounds,
                steps);
    }

    /** Benchmark.assemble's model with the step on ND4J ops. */
    private static CamModel opsModel(BenchCase c, BackboneFactory bf, LossFactory lf) {
        CamModel m = new ModelAssembler()
                .seed(1)
                .updater(new OpsClassicalMomentum(Benchmark.LEARNING_RATE, null, Benchmark.MOMENTUM, false))
                .assemble(
                        bf.create(Params.resolve(bf.params(), Map.of("depth", c.depth()))),
                        new InputShape(c.channels(), c.height(), c.width()),
                        10,
                        Objective.of(lf.create(Params.defaults(lf.params()))));
        m.graph().addListeners(new OpsWeightDecay(Benchmark.WEIGHT_DECAY));
        return m;
    }

    /** {@code CoupledWeightDecay} as it was: {@code g += w.mul(λB)} per parameter (no frozen layers in bench's model). */
    private static final class OpsWeightDecay extends BaseTrainingListener {
        private final double lambda;

        OpsWeightDecay(double lambda) {
            this.lambda = lambda;
        }

        @Override
        public void onGradientCalculation(Model model) {
            double scale = lambda * model.batchSize();
            Map<String, INDArray> params = model.paramTable();
            for (Map.Entry<String, INDArray> e :
                    model.gradient().gradientForVariable().entrySet()) {
                if (isRunningStatistic(e.getKey())) {
                    continue;
                }
                INDArray w = params.get(e.getKey());
                if (w != null) {
                    e.getValue().addi(w.mul(scale));
                }
            }
        }

        private static boolean isRunningStatistic(String key) {
            return key.endsWith("_mean") || key.endsWith("_var") || key.endsWith("_log10stdev");
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
