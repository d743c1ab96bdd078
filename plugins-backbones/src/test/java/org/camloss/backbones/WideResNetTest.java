package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.camloss.api.InputShape;
import org.camloss.api.Params;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parameter counts, dropout placement, validation and gradients of {@code wide-resnet}. */
class WideResNetTest {
    private final WideResNetFactory factory = new WideResNetFactory();

    private WideResNet backbone(int depth, int widen, double dropout) {
        return (WideResNet) Support.create(factory, Map.of("depth", depth, "widen", widen, "dropout", dropout));
    }

    /** Zagoruyko and Komodakis report 36.5M parameters for WRN-28-10 (CIFAR-10); built only, never run. */
    @Test
    void wrn28x10MatchesThePublishedCount() {
        long measured = Support.trainable(backbone(28, 10, 0.0), 3, 10);
        assertEquals(36_479_194, measured);
        Support.assertPublished("WRN-28-10", measured, 36_500_000, 100_000, 0.01);
    }

    /** By hand: stem; per block BN(in), conv3x3 in→out, BN(out), conv3x3 out→out, 1x1 projection; final BN. */
    @Test
    void wrn16x2MatchesTheFormula() {
        long expected = 27 * 16;
        int in = 16;
        for (int w : new int[] {32, 64, 128}) {
            for (int b = 0; b < 2; b++) {
                expected += 2L * in + 9L * in * w + 2L * w + 9L * w * w + (b == 0 ? (long) in * w : 0);
                in = w;
            }
        }
        expected += 2 * 128 + 10 * 128 + 10;
        assertEquals(expected, Support.trainable(backbone(16, 2, 0.0), 3, 10));
    }

    @Test
    void dropoutSitsOnTheSecondConvolutionOnly() {
        ComputationGraph g =
                Support.model(backbone(10, 1, 0.3), new InputShape(3, 8, 8), 10).graph();
        ConvolutionLayer conv2 =
                (ConvolutionLayer) g.getLayer("s2_b0_conv2").conf().getLayer();
        assertEquals(0.7, ((Dropout) conv2.getIDropout()).getP(), 1e-12, "DL4J keeps the retain probability");
        assertEquals(null, ((ConvolutionLayer) g.getLayer("s2_b0_conv1").conf().getLayer()).getIDropout());
        ComputationGraph none =
                Support.model(backbone(10, 1, 0.0), new InputShape(3, 8, 8), 10).graph();
        assertEquals(
                null, ((ConvolutionLayer) none.getLayer("s2_b0_conv2").conf().getLayer()).getIDropout());
    }

    @ParameterizedTest
    @ValueSource(ints = {11, 12, 20, 26})
    void rejectsDepthsThatAreNot6nPlus4(int depth) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(Params.resolve(factory.params(), Map.of("depth", depth))));
        assertEquals("depth must be 6n+4 (10, 16, 22, 28, 40), found " + depth, e.getMessage());
    }

    /**
     * Sampled check (4 entries per parameter array) of WRN-10-1 at dropout 0: dropout is random, so a
     * finite-difference check cannot include it.
     */
    @Test
    void passesTheGradientCheck() {
        assertEquals(List.of(), Support.sampledGradientCheck(backbone(10, 1, 0.0), new InputShape(1, 4, 4), 4, 1.0));
    }
}
