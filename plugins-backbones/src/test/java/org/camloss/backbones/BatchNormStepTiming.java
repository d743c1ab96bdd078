package org.camloss.backbones;

import org.camloss.api.layers.FastBatchNormLayer;

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
        SwitchAbTiming.training(
                args,
                new SwitchAbTiming.Variant("own", () -> System.setProperty(FastBatchNormLayer.PROPERTY, "dl4j")),
                new SwitchAbTiming.Variant("oneDNN", () -> System.setProperty(FastBatchNormLayer.PROPERTY, "onednn")));
    }
}
