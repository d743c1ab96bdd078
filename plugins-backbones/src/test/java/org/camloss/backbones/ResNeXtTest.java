package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.camloss.api.InputShape;
import org.camloss.api.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter counts, validation and gradients of {@code resnext}. */
class ResNeXtTest {
    private final ResNeXtFactory factory = new ResNeXtFactory();

    /**
     * Xie et al. (2017), table 7: ResNeXt-29 8×64d has 34.4M parameters (we count 34 426 698 with the CIFAR-10 head); torchvision's
     * resnext50_32x4d has 25 028 904 (1000 classes; the paper says 25.0M). Built only, never run.
     */
    @ParameterizedTest(name = "ResNeXt-{0} {1}x{2}d {3}")
    @CsvSource({"29, 8, 64, cifar, 10, 34400000, 34426698", "50, 32, 4, imagenet, 1000, 25000000, 25028904"})
    void countsMatchThePublishedOnes(int depth, int c, int d, String stem, int classes, long published, long exact) {
        long measured = Support.trainable(
                Support.create(factory, Map.of("depth", depth, "cardinality", c, "base_width", d, "stem", stem)),
                3,
                classes);
        assertEquals(exact, measured);
        Support.assertPublished("ResNeXt-" + depth + " " + c + "x" + d + "d", measured, published, 100_000, 0.01);
    }

    /** Form (b) has the parameters of grouped convolutions: a block of C×d by hand. */
    @Test
    void aBlockHasTheGroupedConvolutionsParameters() {
        // ResNeXt-11 4x2d, width 1/16: stem 4 ch; outputs 16/32/64; path widths 2/4/8
        long expected = 9 * 3 * 4 + 2 * 4;
        int in = 4;
        int[] outs = {16, 32, 64};
        for (int s = 0; s < 3; s++) {
            int d = 2 << s;
            int group = 4 * d;
            expected += (long) in * group
                    + 2L * group
                    + 9L * d * d * 4
                    + 2L * group
                    + (long) group * outs[s]
                    + 2L * outs[s]
                    + (long) in * outs[s]
                    + 2L * outs[s];
            in = outs[s];
        }
        expected += 10L * 64 + 10;
        assertEquals(
                expected,
                Support.trainable(
                        Support.create(
                                factory, Map.of("depth", 11, "cardinality", 4, "base_width", 2, "width", 0.0625)),
                        3,
                        10));
    }

    @ParameterizedTest
    @CsvSource({
        "cifar, 30, 'depth must be 9n+2 (11, 20, 29) with the cifar stem, found 30'",
        "imagenet, 29, 'depth must be one of [50, 101] with the imagenet stem, found 29'"
    })
    void rejectsDepthsThatDoNotFitTheStem(String stem, int depth, String message) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(Params.resolve(factory.params(), Map.of("depth", depth, "stem", stem))));
        assertEquals(message, e.getMessage());
    }

    /** Sampled check of ResNeXt-11, 2×1d, outputs 4/8/16. */
    @Test
    void passesTheGradientCheck() {
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(
                        Support.create(
                                factory, Map.of("depth", 11, "cardinality", 2, "base_width", 1, "width", 1.0 / 64)),
                        new InputShape(1, 6, 6),
                        3,
                        1.0));
    }
}
