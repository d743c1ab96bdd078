package org.camloss.engine.conv;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.layers.ConvolutionBackward.Geometry;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the oneDNN plans cost in a fresh JVM, for the first-step figure of {@code camloss bench}: loading ND4J (for
 * reference), loading the presets' natives and creating the engine, then creating the plans of one ResNet-20 32×32×3
 * model (batch 128) in the order a first training step needs them — a training forward plan per convolution during
 * the forward pass, then a backward plan per convolution (except 64→64 on 8×8, which the provider declines) — and an
 * inference forward plan per convolution. Convolutions of the same geometry in different layers each get their own
 * plan (as in the layers), so the figures also show what oneDNN's primitive cache saves on repeats. Not a test: run
 * with {@code java -cp <engine test class path> org.camloss.engine.conv.PlanCreationTiming}.
 */
public final class PlanCreationTiming {
    private PlanCreationTiming() {}

    private static Geometry g(int h, int ci, int co, int k, int s) {
        int oh = (h + s - 1) / s;
        int total = Math.max(0, (oh - 1) * s + k - h);
        int pt = total / 2;
        int pb = total - pt;
        return new Geometry(128, h, h, ci, oh, oh, co, k, k, s, s, 1, 1, pt, pt, pb, pb, false);
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        Nd4j.create(1);
        long t1 = System.nanoTime();
        DnnlConvolutionForward forward = new DnnlConvolutionForward();
        DnnlConvolutionBackward backward = new DnnlConvolutionBackward();
        long t2 = System.nanoTime();
        System.out.printf(
                "ND4J first use %.0f ms; dnnl natives and engine %.0f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        // ResNet-20 (3 stages of 3 blocks, option-B shortcuts), in forward order
        List<Geometry> convs = new ArrayList<>();
        convs.add(g(32, 3, 16, 3, 1));
        for (int i = 0; i < 6; i++) {
            convs.add(g(32, 16, 16, 3, 1));
        }
        convs.add(g(32, 16, 32, 3, 2));
        convs.add(g(16, 32, 32, 3, 1));
        convs.add(g(32, 16, 32, 1, 2));
        for (int i = 0; i < 4; i++) {
            convs.add(g(16, 32, 32, 3, 1));
        }
        convs.add(g(16, 32, 64, 3, 2));
        convs.add(g(8, 64, 64, 3, 1));
        convs.add(g(16, 32, 64, 1, 2));
        for (int i = 0; i < 4; i++) {
            convs.add(g(8, 64, 64, 3, 1));
        }
        report("training forward plans", convs, gg -> forward.plan(gg, true));
        report("backward plans", convs, backward::plan);
        report("inference forward plans", convs, gg -> forward.plan(gg, false));
    }

    private static void report(
            String what, List<Geometry> convs, java.util.function.Function<Geometry, java.util.Optional<?>> make) {
        StringBuilder each = new StringBuilder();
        long total = 0;
        int made = 0;
        for (Geometry gg : convs) {
            long s = System.nanoTime();
            boolean planned = make.apply(gg).isPresent();
            long d = System.nanoTime() - s;
            total += d;
            made += planned ? 1 : 0;
            each.append(String.format(" %.1f%s", d / 1e6, planned ? "" : "(declined)"));
        }
        System.out.printf("%s: %d made, %.0f ms in all; each, ms:%s%n", what, made, total / 1e6, each);
    }
}
