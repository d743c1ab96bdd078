package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.camloss.api.InputShape;
import org.junit.jupiter.api.Test;

/** Gradients of {@code resnet} with bottleneck blocks (a class of its own: it is the slowest check). */
class ResNetBottleneckGradientTest {
    /** Sampled check (1 entry of every second parameter array): ResNet-50 bottleneck blocks at widths 1/2/4/8 (× 4), CIFAR stem. */
    @Test
    void bottleneckBlocksPassTheGradientCheck() {
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(
                        Support.create(new ResNetFactory(), Map.of("depth", 50, "stem", "cifar", "width", 1.0 / 64)),
                        new InputShape(1, 4, 4),
                        1,
                        1.0,
                        2));
    }
}
