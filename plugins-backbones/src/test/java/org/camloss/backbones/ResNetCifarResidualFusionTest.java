package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FastConvolutionLayer;
import org.camloss.api.layers.FastConvolutionPaths;
import org.camloss.api.layers.FoldedInference;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Change 16 on whole {@code resnet-cifar} models (float, NHWC): inside {@link FoldedInference} every residual block's
 * add and ReLU run in the block's last folded convolution (a oneDNN sum and ReLU post-op), the add vertex passes that
 * output on, and the folded outputs live in a few shared buffers outside DL4J's workspaces. Checked against the same
 * model outside the scope (1e-4 of the largest value, as {@link ResNetCifarFoldedInferenceTest}), for identity,
 * option-B (1×1 convolution + BN) and option-A (subsample and zero-pad) shortcuts, over batch sizes that grow and
 * shrink the buffers; with the shortcut's own array as the sum's destination wherever it is a folded pair's output
 * (identity and option B), copied where it is not (option A's zero-pad vertex). Also: the switches and the
 * {@code dl4j} forward pass fall back, {@code feedForward} is unchanged, {@code output(List, ...)} of an add vertex
 * is its unfused activation (a copy), a batch norm whose activation is asked for fails loudly, and training after the
 * scope is bit-identical to a model that never opened one.
 */
class ResNetCifarResidualFusionTest {

    @AfterEach
    void clearProperties() {
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
        System.clearProperty(FastConvolutionLayer.FUSE_RESIDUAL_PROPERTY);
        System.clearProperty(FastConvolutionLayer.OUTPUT_BUFFERS_PROPERTY);
    }

    @ParameterizedTest(name = "depth {0}, {1}x{1}x{2}, shortcut {3}")
    @CsvSource({"8, 28, 1, B, 3, 3", "20, 32, 3, B, 9, 9", "8, 28, 1, A, 3, 1", "20, 16, 3, A, 9, 7"})
    void fusedInferenceMatchesUnfused(int depth, int size, int channels, String shortcut, int blocks, int inPlace) {
        ComputationGraph g = model(depth, size, channels, shortcut);
        String features = "s3_b" + ((depth - 2) / 6 - 1) + "_relu"; // the last block's add
        for (int n : new int[] {16, 5, 1, 16}) {
            Nd4j.getRandom().setSeed(100 + n);
            INDArray x = Nd4j.rand(DataType.FLOAT, n, size, size, channels);
            INDArray reference = g.outputSingle(false, x).dup();
            INDArray referenceFeatures = g.output(List.of(features), false, new INDArray[] {x}, null)[0].dup();
            assertEquals(0, FastConvolutionPaths.addsPassedThrough(g), "outside the scope: every add computes");
            try (FoldedInference f = FoldedInference.open(g)) {
                assertEquals(blocks, f.residualPairs(), "pairs ending a residual block");
                INDArray out = g.outputSingle(false, x).dup();
                List<String> folded = FastConvolutionPaths.folded(g);
                assertEquals(
                        blocks,
                        folded.stream()
                                .filter(d -> d.contains("+ sum post-op + relu post-op"))
                                .count(),
                        "convolutions with the add fused: " + folded);
                assertEquals(
                        inPlace,
                        folded.stream()
                                .filter(d -> d.endsWith(", into the shortcut"))
                                .count(),
                        "adding into the shortcut itself: " + folded);
                assertEquals(
                        blocks - inPlace,
                        folded.stream()
                                .filter(d -> d.endsWith(", shortcut copied"))
                                .count(),
                        "shortcut copied: " + folded);
                assertEquals(blocks, FastConvolutionPaths.addsPassedThrough(g), "adds passing the output on");
                assertClose(reference, out, "batch " + n + ": fused inference");

                // an add vertex asked for by output(List, ...): its activation, as a copy the next pass leaves alone
                INDArray[] both = g.output(
                        List.of(
                                features,
                                g.getConfiguration().getNetworkOutputs().get(0)),
                        false,
                        new INDArray[] {x},
                        null);
                assertEquals(blocks, FastConvolutionPaths.addsPassedThrough(g), "fused with outputs asked for");
                assertClose(referenceFeatures, both[0], "batch " + n + ": the feature map (" + features + ")");
                assertClose(reference, both[1], "batch " + n + ": output next to the feature map");
                INDArray kept = both[0].dup();
                g.output(false, Nd4j.rand(DataType.FLOAT, n, size, size, channels));
                assertEquals(kept, both[0], "batch " + n + ": a later pass leaves the returned feature map alone");
            }
        }
        assertTrue(FastConvolutionPaths.outputSlots(g) <= 4, "output slots: " + FastConvolutionPaths.outputSlots(g));
    }

    @Test
    void switchesAndTheDl4jForwardPassFallBack() {
        ComputationGraph g = model(8, 28, 1, "B");
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 28, 28, 1);
        INDArray reference = g.outputSingle(false, x).dup();

        System.setProperty(FastConvolutionLayer.FUSE_RESIDUAL_PROPERTY, "false");
        try (FoldedInference f = FoldedInference.open(g)) {
            assertClose(reference, g.outputSingle(false, x), "fuseResidual=false");
            assertEquals(9, FastConvolutionPaths.folded(g).size(), "fuseResidual=false: every pair folds");
            assertTrue(
                    FastConvolutionPaths.folded(g).stream().noneMatch(d -> d.contains("sum post-op")),
                    "fuseResidual=false: no sum post-op");
            assertEquals(0, FastConvolutionPaths.addsPassedThrough(g), "fuseResidual=false: every add computes");
        }
        System.clearProperty(FastConvolutionLayer.FUSE_RESIDUAL_PROPERTY);

        System.setProperty(FastConvolutionLayer.OUTPUT_BUFFERS_PROPERTY, "workspace");
        try (FoldedInference f = FoldedInference.open(g)) {
            assertClose(reference, g.outputSingle(false, x), "outputBuffers=workspace");
            assertEquals(9, FastConvolutionPaths.folded(g).size(), "outputBuffers=workspace: every pair folds");
            assertTrue(
                    FastConvolutionPaths.folded(g).stream().noneMatch(d -> d.contains("sum post-op")),
                    "outputBuffers=workspace: no sum post-op (Change 14 as it was)");
            assertEquals(0, FastConvolutionPaths.addsPassedThrough(g), "outputBuffers=workspace: every add computes");
        }
        System.clearProperty(FastConvolutionLayer.OUTPUT_BUFFERS_PROPERTY);

        System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
        try (FoldedInference f = FoldedInference.open(g)) {
            assertClose(reference, g.outputSingle(false, x), "dl4j");
            assertEquals(List.of(), FastConvolutionPaths.folded(g), "dl4j: nothing folded");
            assertEquals(0, FastConvolutionPaths.addsPassedThrough(g), "dl4j: every add computes");
        }
    }

    @Test
    void feedForwardIsUnchangedAndABatchNormsOwnActivationFailsLoudly() {
        ComputationGraph g = model(8, 28, 1, "B");
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 28, 28, 1);
        Map<String, INDArray> activations = g.feedForward(new INDArray[] {x}, false, false);
        try (FoldedInference f = FoldedInference.open(g)) {
            g.outputSingle(false, x);
            Map<String, INDArray> inScope = g.feedForward(new INDArray[] {x}, false, false);
            assertEquals(List.of(), FastConvolutionPaths.folded(g), "feedForward in the scope: nothing folded");
            assertEquals(0, FastConvolutionPaths.addsPassedThrough(g), "feedForward in the scope: every add computes");
            for (var e : activations.entrySet()) {
                assertEquals(e.getValue(), inScope.get(e.getKey()), "activation of " + e.getKey());
            }
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> g.output(List.of("s1_b0_bn2"), false, new INDArray[] {x}, null));
            assertEquals(
                    "FastBatchNorm layer 's1_b0_bn2': its activation was asked for inside a FoldedInference scope, but"
                            + " its convolution ran with the residual add and ReLU after this batch norm fused in; ask"
                            + " for the add vertex's activation, or run outside the scope",
                    e.getMessage());
        }
        assertEquals(
                activations.get("s1_b0_bn2"),
                g.output(List.of("s1_b0_bn2"), false, new INDArray[] {x}, null)[0],
                "the batch norm's activation after the scope");
    }

    @Test
    void aBatchNormNamedAtOpenKeepsItsActivationAndOnlyItsAddStaysUnfused() {
        ComputationGraph g = model(8, 28, 1, "B");
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 28, 28, 1);
        Map<String, INDArray> activations = g.feedForward(new INDArray[] {x}, false, false);
        try (FoldedInference f = FoldedInference.open(g, List.of("s1_b0_bn2"))) {
            INDArray[] out = g.output(List.of("s1_b0_bn2"), false, new INDArray[] {x}, null);
            assertClose(activations.get("s1_b0_bn2"), out[0], "the named batch norm's activation");
            // output(List) runs only up to the vertex asked for: the stem and the first block's two pairs
            List<String> upToIt = FastConvolutionPaths.folded(g);
            assertEquals(3, upToIt.size(), "the pairs up to the named batch norm fold");
            assertTrue(upToIt.stream().noneMatch(d -> d.contains("sum post-op")), "its add is not fused: " + upToIt);
            assertClose(
                    activations.get(g.getConfiguration().getNetworkOutputs().get(0)),
                    g.outputSingle(false, x),
                    "the network's output");
            List<String> whole = FastConvolutionPaths.folded(g);
            assertEquals(9, whole.size(), "a whole pass: every pair folds");
            assertEquals(
                    2,
                    whole.stream().filter(d -> d.contains("sum post-op")).count(),
                    "a whole pass: the other blocks' adds are fused, the named batch norm's is not: " + whole);
        }
    }

    @Test
    void trainingAfterTheScopeIsUnchanged() {
        ComputationGraph scoped = model(8, 28, 1, "B");
        ComputationGraph plain = model(8, 28, 1, "B");
        assertEquals(plain.params(), scoped.params(), "the same model twice");
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 28, 28, 1);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 10);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 10, 1.0);
        }
        try (FoldedInference f = FoldedInference.open(scoped)) {
            scoped.outputSingle(false, x);
            assertEquals(3, FastConvolutionPaths.addsPassedThrough(scoped), "fused");
        }
        for (int s = 0; s < 2; s++) {
            scoped.fit(new INDArray[] {x}, new INDArray[] {y});
            plain.fit(new INDArray[] {x}, new INDArray[] {y});
        }
        assertEquals(plain.params(), scoped.params(), "parameters after two training steps");
        assertEquals(plain.outputSingle(false, x), scoped.outputSingle(false, x), "inference after training");
        for (Layer l : scoped.getLayers()) {
            if (l instanceof FastConvolutionLayer) {
                assertNull(
                        FastConvolutionPaths.foldedDescription(l),
                        "after the scope: " + l.conf().getLayer().getLayerName());
            }
        }
    }

    /** A model after 3 SGD steps with γ, β at random, as ResNetCifarFoldedInferenceTest. */
    private static ComputationGraph model(int depth, int size, int channels, String shortcut) {
        Backbone backbone = Support.create(
                new ResNetCifarFactory(),
                Map.of(ResNetCifarFactory.DEPTH, depth, ResNetCifarFactory.SHORTCUT, shortcut));
        ComputationGraph g = new ModelAssembler()
                .seed(1)
                .format(CNN2DFormat.NHWC)
                .updater(new Sgd(0.01))
                .assemble(backbone, new InputShape(channels, size, size), 10, Support.crossEntropy())
                .graph();
        int n = 16;
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % 10, 1.0);
        }
        for (int s = 0; s < 3; s++) {
            Nd4j.getRandom().setSeed(20 + s);
            g.fit(new INDArray[] {Nd4j.rand(DataType.FLOAT, n, size, size, channels)}, new INDArray[] {y});
        }
        Nd4j.getRandom().setSeed(5);
        for (Layer l : g.getLayers()) {
            if (l instanceof BatchNormalization) {
                uniform(l.getParam(BatchNormalizationParamInitializer.GAMMA), 0.5, 1.5);
                uniform(l.getParam(BatchNormalizationParamInitializer.BETA), -0.5, 0.5);
            }
        }
        return g;
    }

    private static void uniform(INDArray a, double lo, double hi) {
        a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(hi - lo).addi(lo));
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-4 * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }
}
