package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.layers.ZeroPadShortcutVertex;
import org.camloss.engine.model.CamModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Option-A shortcuts and pre-activation blocks of {@code resnet-cifar}: structure, counts, gradients. */
class ResNetCifarVariantsTest {
    private final ResNetCifarFactory factory = new ResNetCifarFactory();

    private ResNetCifar backbone(int depth, double width, String shortcut, boolean preact) {
        return (ResNetCifar)
                Support.create(factory, Map.of("depth", depth, "width", width, "shortcut", shortcut, "preact", preact));
    }

    /** Option B minus its two 1×1 projections and their BNs (stage entries 2 and 3). */
    static long expectedOptionA(int depth, int[] w, int in) {
        return ResNetCifarTest.expectedTrainable(depth, w, in)
                - ((long) w[0] * w[1] + 2L * w[1])
                - ((long) w[1] * w[2] + 2L * w[2]);
    }

    /** Pre-activation: stem conv; per block BN(in), conv, BN(out), conv, projection (B); final BN. */
    static long expectedPreact(int depth, int[] w, int inChannels, boolean optionB) {
        int n = (depth - 2) / 6;
        long total = 9L * inChannels * w[0];
        int in = w[0];
        for (int s = 0; s < 3; s++) {
            for (int b = 0; b < n; b++) {
                int out = w[s];
                total += 2L * in + 9L * in * out + 2L * out + 9L * out * out;
                if (optionB && (in != out || (s > 0 && b == 0))) {
                    total += (long) in * out + 2L * out;
                }
                in = out;
            }
        }
        return total + 2L * w[2];
    }

    @ParameterizedTest(name = "ResNet-{0}, preact {1}, shortcuts A and B")
    @CsvSource({"20, false", "8, true", "14, true"})
    void parameterCountsMatchTheFormula(int depth, boolean preact) {
        for (String shortcut : List.of("A", "B")) {
            ResNetCifar r = backbone(depth, 0.5, shortcut, preact);
            long measured = Support.trainable(r, 3, 10) - (10L * r.info().channels() + 10);
            long expected = preact
                    ? expectedPreact(depth, r.stageWidths(), 3, shortcut.equals("B"))
                    : shortcut.equals("A")
                            ? expectedOptionA(depth, r.stageWidths(), 3)
                            : ResNetCifarTest.expectedTrainable(depth, r.stageWidths(), 3);
            assertEquals(expected, measured, r.toString());
        }
    }

    /**
     * He et al. (2016), table 6: ResNet-20/56/110 with option A have 0.27M, 0.85M and 1.7M parameters; with
     * the 10-class head we count 269 722, 853 018 and 1 727 962 (the last is 1.7M as published, to its
     * precision, but 1.8 % above 1.70M exactly).
     */
    @ParameterizedTest(name = "ResNet-{0}")
    @CsvSource({"20, 270000, 10000, 269722", "56, 850000, 10000, 853018", "110, 1700000, 100000, 1727962"})
    void optionACountsMatchThePublishedOnes(int depth, long published, long unit, long exact) {
        long measured = Support.trainable(backbone(depth, 1.0, "A", false), 3, 10);
        assertEquals(exact, measured);
        Support.assertPublished("ResNet-" + depth + " (A)", measured, published, unit, 0.01);
    }

    /** He et al. (2016b), table 3: pre-activation ResNet-110 has 1.7M parameters. */
    @Test
    void preactResNet110MatchesThePublishedCount() {
        long measured = Support.trainable(backbone(110, 1.0, "A", true), 3, 10);
        Support.assertPublished("pre-activation ResNet-110", measured, 1_700_000, 100_000, 0.01);
    }

    @Test
    void optionAAddsParameterFreeShortcutsOnly() {
        CamModel m = Support.model(backbone(8, 0.25, "A", false), new InputShape(3, 9, 9), 10);
        assertNotNull(m.graph().getVertex("s2_b0_short"));
        assertNotNull(m.graph().getVertex("s3_b0_short"));
        assertNull(m.graph().getVertex("s2_b0_proj_conv"));
        assertNull(m.graph().getVertex("s1_b0_short"), "stage 1 keeps the identity");
        ZeroPadShortcutVertex v = (ZeroPadShortcutVertex)
                m.graph().getConfiguration().getVertices().get("s3_b0_short");
        assertEquals(2, v.getStride());
        assertEquals(4, v.getPadBefore());
        assertEquals(4, v.getPadAfter());
    }

    @Test
    void preactEndsWithFinalBnAndDeclaresAddOutputs() {
        BackboneInfo info = backbone(8, 0.5, "B", true).info();
        assertEquals(
                List.of(
                        new BackboneInfo.Stage("s1_b0_add", 8, 1),
                        new BackboneInfo.Stage("s2_b0_add", 16, 2),
                        new BackboneInfo.Stage("final_bn", 32, 4)),
                info.stages());
        CamModel m = Support.model(backbone(8, 0.5, "B", true), new InputShape(3, 8, 8), 10);
        assertEquals("final_bn", m.featureVertex());
        assertNull(m.graph().getVertex("stem_bn"), "pre-activation stem has no BN");
        assertNull(m.graph().getVertex("s1_b0_relu"));
    }

    @Test
    void rejectsAnUnknownShortcut() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(org.camloss.api.Params.ofResolved(
                        Map.of("depth", 20, "width", 1.0, "shortcut", "C", "preact", false))));
        assertEquals("shortcut must be one of [A, B], found 'C'", e.getMessage());
    }

    @Test
    void optionAPassesTheGradientCheck() {
        assertTrue(
                Support.gradientCheck(backbone(8, 0.0625, "A", false), new InputShape(2, 6, 6), 500),
                Support.GRADIENT_HINT);
    }

    @Test
    void preactivationWithBothShortcutsPassesTheGradientCheck() {
        assertTrue(
                Support.gradientCheck(backbone(8, 0.0625, "A", true), new InputShape(2, 6, 6), 500),
                Support.GRADIENT_HINT);
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(backbone(8, 0.0625, "B", true), new InputShape(2, 5, 5), 3, 1.0),
                "sampled check, 3 entries per parameter array");
    }
}
