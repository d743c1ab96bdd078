package org.camloss.api.layers;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The generator of a stochastic vertex for one training step: seeded by the model's seed (the run's seed), the
 * vertex's name and the graph's iteration and epoch counts. The masks of a step are a function of those alone, so a run
 * is reproducible from its seed, every forward pass of one step sees the same masks (DL4J's gradient check runs many
 * without advancing the iteration), and a run continued from a saved model draws the masks it would have drawn.
 */
final class StepRandom {
    private StepRandom() {}

    /** The generator of vertex {@code name} for the graph's current step. */
    static SplittableRandom of(ComputationGraph graph, String name) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        return of(conf.getDefaultConfiguration().getSeed(), name, conf.getIterationCount(), conf.getEpochCount());
    }

    /** The generator for a seed, a vertex name, an iteration and an epoch. */
    static SplittableRandom of(long seed, String name, long iteration, long epoch) {
        long h = mix(seed ^ 0x6A09E667F3BCC909L);
        h = mix(h ^ name.hashCode());
        h = mix(h + iteration * 0x9E3779B97F4A7C15L);
        h = mix(h + epoch * 0xBB67AE8584CAA73BL);
        return new SplittableRandom(h);
    }

    /** The finaliser of MurmurHash3 (as SplittableRandom's). */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
