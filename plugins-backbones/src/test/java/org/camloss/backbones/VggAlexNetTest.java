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

/** Parameter counts, strides, validation and gradients of {@code vgg} and {@code alexnet}. */
class VggAlexNetTest {
    private final VggFactory vgg = new VggFactory();
    private final AlexNetFactory alexnet = new AlexNetFactory();

    /**
     * torchvision's {@code vgg*_bn.features} have 9 225 984, 9 410 880, 14 723 136 and 20 035 392 trainable
     * parameters; ours lack the conv biases (BN follows): 2 752, 2 944, 4 224 and 5 504 of them.
     */
    @ParameterizedTest(name = "VGG-{0}")
    @CsvSource({"11, 9225984, 2752", "13, 9410880, 2944", "16, 14723136, 4224", "19, 20035392, 5504"})
    void vggCountsMatchTorchvisionWithoutConvBiases(int depth, long torchvision, long biases) {
        long measured = Support.trainable(Support.create(vgg, Map.of("depth", depth)), 3, 10) - (10 * 512 + 10);
        assertEquals(torchvision - biases, measured);
    }

    /** torchvision's {@code alexnet.features} has 2 469 696 parameters. */
    @Test
    void alexNetCountMatchesTorchvision() {
        long measured = Support.trainable(Support.create(alexnet, Map.of()), 3, 10) - (10 * 256 + 10);
        assertEquals(2_469_696, measured);
    }

    @Test
    void droppingTheLastPoolHalvesTheStride() {
        BackboneInfo with = Support.create(vgg, Map.of("depth", 16)).info();
        BackboneInfo without =
                Support.create(vgg, Map.of("depth", 16, "last_pool", false)).info();
        assertEquals(32, with.stride());
        assertEquals(16, without.stride());
        assertEquals("s5_c2_bn", without.stages().get(4).vertex());
        assertEquals(
                16, Support.create(alexnet, Map.of("last_pool", false)).info().stride());
        assertEquals(
                List.of(
                        new BackboneInfo.Stage("pool1", 64, 8),
                        new BackboneInfo.Stage("pool2", 192, 16),
                        new BackboneInfo.Stage("pool5", 256, 32)),
                Support.create(alexnet, Map.of()).info().stages());
    }

    @ParameterizedTest
    @CsvSource({"12", "15", "18"})
    void vggRejectsOtherDepths(int depth) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> vgg.create(Params.resolve(vgg.params(), Map.of("depth", depth))));
        assertEquals("depth must be one of [11, 13, 16, 19], found " + depth, e.getMessage());
    }

    /** Sampled check: VGG-11 at widths 1/2/4/8/8 without the last pool. */
    @Test
    void vggPassesTheGradientCheck() {
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(
                        Support.create(vgg, Map.of("depth", 11, "width", 1.0 / 64, "last_pool", false)),
                        new InputShape(1, 16, 16),
                        3,
                        1.0));
    }

    /**
     * Sampled check: AlexNet at widths 1/3/6/4/4 on a 16×16 input. ReLU without BN has kinks; with this
     * seed no pre-activation lies within the finite-difference step of zero.
     */
    @Test
    void alexNetPassesTheGradientCheck() {
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(
                        Support.create(alexnet, Map.of("width", 1.0 / 64)), new InputShape(1, 16, 16), 3, 1.0));
    }
}
