package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.camloss.api.BackboneFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link BackboneContract} run with the JUnit Platform Launcher against the trial's broken plain CNN: each break fails
 * the check meant to catch it, with a message that names the plugin, the layer or vertex and the fix; the correct net
 * passes every check.
 */
class BackboneContractCatchesBreaksTest {
    static final class PlainCnnContract extends BackboneContract {
        @Override
        protected BackboneFactory factory() {
            return new BrokenPlugins.PlainCnn();
        }
    }

    static final class Dl4jBnWithActivationContract extends BackboneContract {
        @Override
        protected BackboneFactory factory() {
            return new BrokenPlugins.Dl4jBnWithActivation();
        }
    }

    static final class Dl4jConvWithActivationContract extends BackboneContract {
        @Override
        protected BackboneFactory factory() {
            return new BrokenPlugins.Dl4jConvWithActivation();
        }
    }

    static final class WrongChannelsContract extends BackboneContract {
        @Override
        protected BackboneFactory factory() {
            return new BrokenPlugins.WrongChannels();
        }
    }

    static final class WrongStrideContract extends BackboneContract {
        @Override
        protected BackboneFactory factory() {
            return new BrokenPlugins.WrongStride();
        }
    }

    @Test
    void aCorrectPlainCnnPassesEveryCheck() {
        ContractRun run = ContractRun.of(PlainCnnContract.class);
        assertEquals(Set.of(), run.failed(), run.toString());
        assertEquals(Set.of("declaredRegularizationsAreApplied"), run.skipped(), run.toString());
    }

    static final class ClaimsStochasticDepthContract extends BackboneContract {
        @Override
        protected BackboneFactory factory() {
            return new BrokenPlugins.ClaimsStochasticDepth();
        }
    }

    @Test
    void aBackboneThatDeclaresStochasticDepthButIgnoresItFailsDeclaredRegularizationsAreApplied() {
        ContractRun run = ContractRun.of(ClaimsStochasticDepthContract.class);
        assertEquals(Set.of("declaredRegularizationsAreApplied"), run.failed(), run.toString());
        assertEquals(
                "backbone 'claims-stochastic-depth' declares that it applies stochastic depth "
                        + "(Backbone.regularizations()), but with it asked for, its training forward pass was the same at "
                        + "8 steps; apply BackboneContext.regularization() (Layers.residual ends a residual block with it)"
                        + " or leave stochastic-depth out of regularizations()",
                run.message("declaredRegularizationsAreApplied"));
    }

    /** The net trains (it is linear), so only the layer check sees that its nonlinearity is gone. */
    @Test
    void aDl4jBatchNormGivenTheReluFailsNoDl4jBatchNormWithAnActivation() {
        ContractRun run = ContractRun.of(Dl4jBnWithActivationContract.class);
        assertEquals(Set.of("noDl4jBatchNormWithAnActivation"), run.failed(), run.toString());
        assertEquals(
                "backbone 'dl4j-bn-with-activation': layers 'conv1_bn' (relu), 'conv2_bn' (relu), 'conv3_bn' (relu), "
                        + "'conv4_bn' (relu) are DL4J's BatchNormalization with an activation, which DL4J 1.0.0-M2.1 silently "
                        + "ignores (the layer outputs the normalised values unchanged); use org.camloss.api.layers.FastBatchNorm, "
                        + "which applies it (Layers.bn, Layers.convBnAct in org.camloss.api.layers.Layers), or give the batch norm "
                        + "Activation.IDENTITY and add a separate ActivationLayer (Layers.activation)",
                run.message("noDl4jBatchNormWithAnActivation"));
    }

    /**
     * Training on the oneDNN helper may also turn NaN within the 8 steps (it did on the development machine); the
     * folded-inference checks, which train 2 steps first, are then skipped rather than failed with NaN maps.
     */
    @Test
    void aDl4jConvolutionWithTheReluFailsNoDl4jConvolutionWithAnActivation() {
        ContractRun run = ContractRun.of(Dl4jConvWithActivationContract.class);
        assertTrue(run.failed().contains("noDl4jConvolutionWithAnActivation"), run.toString());
        assertTrue(
                Set.of("noDl4jConvolutionWithAnActivation", "trainingStepsLowerTheLoss")
                        .containsAll(run.failed()),
                run.toString());
        assertEquals(
                "backbone 'dl4j-conv-with-activation': layers 'conv1' (relu), 'conv2' (relu), 'conv3' (relu), "
                        + "'conv4' (relu) are DL4J's ConvolutionLayer in NHWC with an activation; with the oneDNN helpers the "
                        + "runtime turns on, its weight gradients are wrong and training turns NaN; use "
                        + "org.camloss.api.layers.FastConvolution (Layers.conv, Layers.convBnAct in org.camloss.api.layers.Layers), "
                        + "or give it Activation.IDENTITY and add a separate ActivationLayer (Layers.activation)",
                run.message("noDl4jConvolutionWithAnActivation"));
    }

    @Test
    void wrongChannelsFailTheShapeChecksWithAMessageAboutChannels() {
        ContractRun run = ContractRun.of(WrongChannelsContract.class);
        assertEquals(
                Set.of(
                        "featureMapMatchesInfo",
                        "foldedInferenceMatchesPlainInference",
                        "foldedForwardKeepsFeatureStageMapsAndLogits",
                        "trainingStepsLowerTheLoss"),
                run.failed(),
                run.toString());
        String expected =
                "backbone 'wrong-channels' declares 12 channels at its feature vertex 'conv4_bn' but the graph "
                        + "gives 16";
        assertEquals(expected, run.message("featureMapMatchesInfo"));
        assertEquals(expected, run.message("foldedInferenceMatchesPlainInference"));
        assertEquals(expected, run.message("foldedForwardKeepsFeatureStageMapsAndLogits"));
        assertEquals(expected, run.message("trainingStepsLowerTheLoss"));
    }

    @Test
    void aWrongStrideFailsTheShapeChecksWithAMessageAboutTheStride() {
        ContractRun run = ContractRun.of(WrongStrideContract.class);
        assertEquals(
                Set.of(
                        "featureMapMatchesInfo",
                        "foldedInferenceMatchesPlainInference",
                        "foldedForwardKeepsFeatureStageMapsAndLogits",
                        "trainingStepsLowerTheLoss"),
                run.failed(),
                run.toString());
        String expected =
                "backbone 'wrong-stride' declares stride 2 at its feature vertex 'conv4_bn' but the graph gives "
                        + "stride 4 (the map of a 16x16 input is 4x4, not 8x8)";
        assertEquals(expected, run.message("featureMapMatchesInfo"));
        assertEquals(expected, run.message("foldedInferenceMatchesPlainInference"));
        assertEquals(expected, run.message("foldedForwardKeepsFeatureStageMapsAndLogits"));
        assertEquals(expected, run.message("trainingStepsLowerTheLoss"));
    }
}
