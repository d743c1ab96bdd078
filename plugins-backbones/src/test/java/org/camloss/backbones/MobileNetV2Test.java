package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter counts, channel rounding, strides and gradients of {@code mobilenet-v2}. */
class MobileNetV2Test {
    private final MobileNetV2Factory factory = new MobileNetV2Factory();

    /**
     * Sandler et al. (2018), table 4: 3.4M parameters; torchvision's mobilenet_v2 (width 1.0, 1000 classes)
     * has 3 504 872, the figure the issue quotes (3.5M). Built only, never run.
     */
    @Test
    void width1MatchesThePublishedCount() {
        long measured = Support.trainable(Support.create(factory, Map.of()), 3, 1000);
        assertEquals(3_504_872, measured);
        Support.assertPublished("MobileNetV2 1.0", measured, 3_500_000, 100_000, 0.01);
    }

    @ParameterizedTest
    @CsvSource({"32, 32", "4, 8", "11.2, 16", "22.4, 24", "1280, 1280", "2.5, 8", "36, 40"})
    void channelsAreRoundedToMultiplesOf8(double v, int expected) {
        assertEquals(expected, MobileNetV2.divisible(v));
    }

    @Test
    void infoDeclaresTheStrideChanges() {
        BackboneInfo info = Support.create(factory, Map.of()).info();
        assertEquals(
                List.of(
                        new BackboneInfo.Stage("b0_project_bn", 16, 2),
                        new BackboneInfo.Stage("b2_add", 24, 4),
                        new BackboneInfo.Stage("b5_add", 32, 8),
                        new BackboneInfo.Stage("b12_add", 96, 16),
                        new BackboneInfo.Stage("last_bn", 1280, 32)),
                info.stages());
        BackboneInfo cifar = Support.create(factory, Map.of("stem", "cifar")).info();
        assertEquals(8, cifar.stride());
        assertEquals(
                List.of(
                        new BackboneInfo.Stage("b2_add", 24, 1),
                        new BackboneInfo.Stage("b5_add", 32, 2),
                        new BackboneInfo.Stage("b12_add", 96, 4),
                        new BackboneInfo.Stage("last_bn", 1280, 8)),
                cifar.stages());
    }

    /** Sampled check (1 entry of every third parameter array) at width 0.1 (8-channel minimum), CIFAR stem: depthwise convs, ReLU6. */
    @Test
    void passesTheGradientCheck() {
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(
                        Support.create(factory, Map.of("width", 0.1, "stem", "cifar")),
                        new InputShape(1, 4, 4),
                        1,
                        1.0,
                        3));
    }
}
