package org.camloss.backbones;

import org.camloss.api.layers.FastConvolutionLayer;

/**
 * In-JVM A/B of a whole training step ({@code train}) or inference pass ({@code infer}, {@code graph.output(false, x)}
 * as {@code camloss bench} times it) (cross-entropy head, batch 128, one fixed random batch) with the convolutions'
 * forward pass on libnd4j's oneDNN helper ({@value FastConvolutionLayer#FORWARD_PROPERTY}{@code =dl4j}, A) and on the
 * engine's cached oneDNN primitives (B); the backward pass stays on the engine's primitives in both. One model, the
 * switch flipped between blocks of steps, so both variants see the same weights and batch; each round times
 * {@code steps} steps of each (order alternating), keeps each variant's median, and the result is the median of the
 * per-round ratios B/A with their range. Not a test: run with {@code java -cp <backbones test class path>
 * org.camloss.backbones.OneDnnForwardStepTiming train|infer depth size channels [rounds] [steps] [warm-up]}.
 */
public final class OneDnnForwardStepTiming {
    private OneDnnForwardStepTiming() {}

    public static void main(String[] args) {
        boolean train =
                switch (args[0]) {
                    case "train" -> true;
                    case "infer" -> false;
                    default -> throw new IllegalArgumentException("mode: train or infer, found " + args[0]);
                };
        int depth = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int channels = Integer.parseInt(args[3]);
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 6;
        int steps = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 30;
        SwitchAbTiming.run(
                train,
                depth,
                size,
                channels,
                rounds,
                steps,
                warmup,
                new SwitchAbTiming.Variant(
                        "libnd4j", () -> System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j")),
                new SwitchAbTiming.Variant(
                        "oneDNN", () -> System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY)));
    }
}
