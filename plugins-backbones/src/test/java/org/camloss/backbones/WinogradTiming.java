package org.camloss.backbones;

import org.camloss.engine.conv.DnnlConvolutionForward;

/**
 * In-JVM A/B of a folded inference pass ({@code graph.output(false, x)} inside {@link
 * org.camloss.api.layers.FoldedInference}, opened around each pass; cross-entropy head, batch 128, after 3 training
 * steps) with oneDNN's Winograd convolution for the wide, small 3×3 layers ({@code winograd}, the default) and
 * without it ({@code direct}: {@value DnnlConvolutionForward#WINOGRAD_PROPERTY}{@code =false}), with {@link
 * SwitchAbTiming} (the eligible plans hold both primitives and read the switch at each call; the printed ratio is
 * direct/winograd). Not a test: run with {@code java -cp <backbones test class path>
 * org.camloss.backbones.WinogradTiming depth size channels [rounds] [passes] [warm-up]}.
 */
public final class WinogradTiming {
    private WinogradTiming() {}

    public static void main(String[] args) {
        int depth = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        int channels = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 40;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 40;
        SwitchAbTiming.Variant direct = new SwitchAbTiming.Variant(
                "direct", () -> System.setProperty(DnnlConvolutionForward.WINOGRAD_PROPERTY, "false"));
        SwitchAbTiming.Variant wino = new SwitchAbTiming.Variant(
                "winograd", () -> System.clearProperty(DnnlConvolutionForward.WINOGRAD_PROPERTY));
        // Winograd first: the plans are made in the first warm-up pass, and with the switch off they are direct only
        SwitchAbTiming.run(false, true, depth, size, channels, rounds, steps, warmup, wino, direct);
    }
}
