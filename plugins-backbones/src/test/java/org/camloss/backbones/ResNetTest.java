package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter counts, strides, validation and gradients of {@code resnet}. */
class ResNetTest {
    private final ResNetFactory factory = new ResNetFactory();

    private ResNet backbone(int depth, String stem, double width) {
        return (ResNet) Support.create(factory, Map.of("depth", depth, "stem", stem, "width", width));
    }

    /**
     * torchvision's resnet18/34/50 (He et al. 2016 report 11.7M and 25.6M for ResNet-18/50) with the
     * 1000-class head; the network is only built, never run.
     */
    @ParameterizedTest(name = "ResNet-{0}")
    @CsvSource({"18, 11689512, 11700000", "34, 21797672, 21800000", "50, 25557032, 25600000"})
    void countsMatchThePublishedOnes(int depth, long exact, long published) {
        long measured = Support.trainable(backbone(depth, "imagenet", 1.0), 3, 1000);
        assertEquals(exact, measured);
        Support.assertPublished("ResNet-" + depth, measured, published, 100_000, 0.01);
    }

    @Test
    void cifarStemDropsTheMaxPoolAndHasStride8() {
        BackboneInfo info = backbone(18, "cifar", 1.0).info();
        assertEquals(512, info.channels());
        assertEquals(8, info.stride());
        assertEquals(32, backbone(50, "imagenet", 1.0).info().stride());
        assertEquals(2048, backbone(101, "imagenet", 1.0).info().channels());
        // at width 0.25 the stems differ only in the kernel: 16 x 3 x (7x7 - 3x3) weights
        long imagenet = Support.trainable(backbone(18, "imagenet", 0.25), 3, 10);
        long cifar = Support.trainable(backbone(18, "cifar", 0.25), 3, 10);
        assertEquals(16L * 3 * (49 - 9), imagenet - cifar);
    }

    @ParameterizedTest
    @CsvSource({"19", "20", "100"})
    void rejectsOtherDepths(int depth) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(Params.resolve(factory.params(), Map.of("depth", depth))));
        assertEquals("depth must be one of [18, 34, 50, 101, 152], found " + depth, e.getMessage());
    }

    /** Sampled check (4 entries per parameter array, see {@link Support#sampledGradientCheck}): ResNet-18 at widths 1/2/4/8 with the ImageNet stem: conv, BN, max-pool, add, ReLU, projections. */
    @Test
    void passesTheGradientCheck() {
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(backbone(18, "imagenet", 1.0 / 64), new InputShape(1, 8, 8), 2, 1.0));
    }
}
