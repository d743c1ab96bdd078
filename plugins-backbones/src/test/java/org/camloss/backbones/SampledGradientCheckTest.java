package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.camloss.api.InputShape;
import org.junit.jupiter.api.Test;

/** The sampled finite-difference check used for the larger families is a real check. */
class SampledGradientCheckTest {
    /** On ResNet-8 at widths 1/2/4 (where DL4J's full check passes) it passes, and fails on a 5 % gradient error. */
    @Test
    void passesOnACorrectNetAndFailsOnAScaledGradient() {
        ResNetCifar net = new ResNetCifar(1, 0.0625);
        assertEquals(List.of(), Support.sampledGradientCheck(net, new InputShape(2, 6, 6), 3, 1.0));
        assertFalse(Support.sampledGradientCheck(net, new InputShape(2, 6, 6), 3, 1.05)
                .isEmpty());
    }
}
