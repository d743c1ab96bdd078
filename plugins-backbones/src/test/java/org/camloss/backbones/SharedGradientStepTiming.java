package org.camloss.backbones;

import org.camloss.api.layers.AddReluVertex;

/**
 * In-JVM A/B of a whole training step ({@code graph.fit}, cross-entropy head, batch 128, one fixed random batch) with
 * the residual blocks' {@link AddReluVertex} copying its gradient for the shortcut
 * ({@value AddReluVertex#SHARED_GRADIENT_PROPERTY}{@code =false}, A) and handing both inputs one array (B). One model,
 * the switch flipped between blocks of steps ({@link SwitchAbTiming}); the result is the median of the per-round ratios
 * B/A with their range. Not a test: run with {@code java -cp <backbones test class path>
 * org.camloss.backbones.SharedGradientStepTiming depth size channels [rounds] [steps] [warm-up]}, with
 * {@code -Dorg.eclipse.deeplearning4j.helpers.disable=false}.
 */
public final class SharedGradientStepTiming {
    private SharedGradientStepTiming() {}

    public static void main(String[] args) {
        SwitchAbTiming.training(
                args,
                new SwitchAbTiming.Variant(
                        "copied", () -> System.setProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY, "false")),
                new SwitchAbTiming.Variant(
                        "shared", () -> System.setProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY, "true")));
    }
}
