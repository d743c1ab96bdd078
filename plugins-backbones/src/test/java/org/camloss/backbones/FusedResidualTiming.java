package org.camloss.backbones;

import org.camloss.api.layers.FastConvolutionLayer;

/**
 * In-JVM A/B of a folded inference pass ({@code graph.output(false, x)} inside {@link
 * org.camloss.api.layers.FoldedInference}, opened around each pass; cross-entropy head, batch 128, after 3 training
 * steps) between two settings of Change 16's switches, with {@link SwitchAbTiming}: {@code all} (the default: folded
 * outputs in shared slots outside workspaces, residual add and ReLU fused into the block's last convolution) against
 * {@code workspace} ({@value FastConvolutionLayer#OUTPUT_BUFFERS_PROPERTY}{@code =workspace}: Change 14 as it was) or
 * {@code noResidual} ({@value FastConvolutionLayer#FUSE_RESIDUAL_PROPERTY}{@code =false}: the slots, but the adds on
 * their own vertex). Not a test: run with {@code java -cp <backbones test class path>
 * org.camloss.backbones.FusedResidualTiming workspace|noResidual depth size channels [rounds] [passes] [warm-up]}.
 */
public final class FusedResidualTiming {
    private FusedResidualTiming() {}

    public static void main(String[] args) {
        String baseline = args[0];
        int depth = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int channels = Integer.parseInt(args[3]);
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int steps = args.length > 5 ? Integer.parseInt(args[5]) : 40;
        int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 40;
        SwitchAbTiming.Variant all = new SwitchAbTiming.Variant("all", () -> {
            System.clearProperty(FastConvolutionLayer.OUTPUT_BUFFERS_PROPERTY);
            System.clearProperty(FastConvolutionLayer.FUSE_RESIDUAL_PROPERTY);
        });
        SwitchAbTiming.Variant base =
                switch (baseline) {
                    case "workspace" -> new SwitchAbTiming.Variant("workspace", () -> {
                        System.setProperty(FastConvolutionLayer.OUTPUT_BUFFERS_PROPERTY, "workspace");
                        System.clearProperty(FastConvolutionLayer.FUSE_RESIDUAL_PROPERTY);
                    });
                    case "noResidual" -> new SwitchAbTiming.Variant("noResidual", () -> {
                        System.clearProperty(FastConvolutionLayer.OUTPUT_BUFFERS_PROPERTY);
                        System.setProperty(FastConvolutionLayer.FUSE_RESIDUAL_PROPERTY, "false");
                    });
                    default -> throw new IllegalArgumentException(
                            "baseline must be one of [workspace, noResidual], found '" + baseline + "'");
                };
        SwitchAbTiming.run(false, true, depth, size, channels, rounds, steps, warmup, base, all);
    }
}
