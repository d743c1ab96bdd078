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

/** Parameter counts, channels, validation and gradients of {@code densenet-bc}. */
class DenseNetBcTest {
    private final DenseNetBcFactory factory = new DenseNetBcFactory();

    /** By hand, for the CIFAR stem: stem conv; per layer BN(c), 1x1 c→4k, BN(4k), 3x3 4k→k; transitions; final BN. */
    static long expected(int depth, int k, double theta, int in, int classes) {
        int n = (depth - 4) / 6;
        long total = 9L * in * 2 * k;
        int c = 2 * k;
        for (int b = 0; b < 3; b++) {
            for (int l = 0; l < n; l++) {
                total += 2L * c + (long) c * 4 * k + 2L * 4 * k + 9L * 4 * k * k;
                c += k;
            }
            if (b < 2) {
                int out = (int) Math.floor(theta * c);
                total += 2L * c + (long) c * out;
                c = out;
            }
        }
        return total + 2L * c + (long) classes * c + classes;
    }

    /** Huang et al. (2017), table 2: DenseNet-BC (L = 100, k = 12) has 0.8M parameters (exactly: 769 162). */
    @Test
    void denseNetBc100MatchesThePublishedCount() {
        long measured = Support.trainable(Support.create(factory, Map.of("depth", 100, "growth_rate", 12)), 3, 10);
        assertEquals(expected(100, 12, 0.5, 3, 10), measured);
        assertEquals(769_162, measured);
        Support.assertPublished("DenseNet-BC-100 (k=12)", measured, 800_000, 100_000, 0.01);
    }

    @ParameterizedTest
    @CsvSource({"40, 12, 0.5", "22, 5, 0.7"})
    void cifarCountsMatchTheFormula(int depth, int k, double theta) {
        assertEquals(
                expected(depth, k, theta, 3, 10),
                Support.trainable(
                        Support.create(factory, Map.of("depth", depth, "growth_rate", k, "compression", theta)),
                        3,
                        10));
    }

    /** torchvision's densenet121 (k = 32, 1000 classes) has 7 978 856 parameters; built only, never run. */
    @Test
    void denseNet121MatchesTorchvision() {
        long measured = Support.trainable(
                Support.create(factory, Map.of("depth", 121, "growth_rate", 32, "stem", "imagenet")), 3, 1000);
        assertEquals(7_978_856, measured);
    }

    @Test
    void infoFollowsTheChannelsAndStrides() {
        BackboneInfo info =
                Support.create(factory, Map.of("depth", 100, "growth_rate", 12)).info();
        assertEquals(
                List.of(
                        new BackboneInfo.Stage("d1_l15_cat", 216, 1),
                        new BackboneInfo.Stage("d2_l15_cat", 300, 2),
                        new BackboneInfo.Stage("final_bn", 342, 4)),
                info.stages());
        assertEquals(
                1024,
                Support.create(factory, Map.of("depth", 121, "growth_rate", 32, "stem", "imagenet"))
                        .info()
                        .channels());
    }

    @ParameterizedTest
    @CsvSource({
        "cifar, 101, 'depth must be 6n+4 (40, 100, 190, 250) with the cifar stem, found 101'",
        "imagenet, 100, 'depth must be one of [121, 161, 169, 201] with the imagenet stem, found 100'"
    })
    void rejectsDepthsThatDoNotFitTheStem(String stem, int depth, String message) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(Params.resolve(factory.params(), Map.of("depth", depth, "stem", stem))));
        assertEquals(message, e.getMessage());
    }

    /** Sampled check of DenseNet-BC-10 (one layer per block), k = 2, compression 0.5. */
    @Test
    void passesTheGradientCheck() {
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(
                        Support.create(factory, Map.of("depth", 10, "growth_rate", 2)),
                        new InputShape(2, 6, 6),
                        4,
                        1.0));
    }
}
