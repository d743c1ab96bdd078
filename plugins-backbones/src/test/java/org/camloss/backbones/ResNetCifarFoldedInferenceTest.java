package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Whole {@code resnet-cifar} models (float, NHWC) under {@link FoldedInference} against the same model outside the
 * scope: every convolution → batch norm pair runs folded (ResNet-8: the stem, two per block and the two projection
 * shortcuts, 9 pairs, 4 with ReLU; ResNet-20: 21 pairs, 10 with ReLU), the outputs match, every vertex's activation
 * from {@code feedForward} is unchanged inside the scope, inference after more training steps matches again (the folded
 * weights follow the parameters), and a saved and loaded model folds to the same outputs.
 *
 * <p>Non-trivial statistics: 3 SGD steps (learning rate 0.01, batch 16, as {@code ResNetCifarOneDnnForwardTest}) move
 * the running means and variances by 1 − 0.9³ towards batch statistics, and γ, β are set at random (γ in [0.5, 1.5],
 * β in [−0.5, 0.5]). Tolerance 1e-4 of the largest output value, as for the oneDNN forward test: each folded pair
 * rounds differently by about 1e-6 relative (see {@code FoldedInferenceTest}), over up to 19 layers in sequence; one
 * wrongly folded channel changes the output by far more.
 */
class ResNetCifarFoldedInferenceTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
    }

    @ParameterizedTest(name = "depth {0}, {1}x{1}x{2}")
    @CsvSource({"8, 28, 1, 9, 4, 3", "20, 32, 3, 21, 10, 9"})
    void foldedInferenceMatchesUnfused(int depth, int size, int channels, int pairs, int reluPairs, int blocks)
            throws Exception {
        Backbone backbone = Support.create(new ResNetCifarFactory(), Map.of(ResNetCifarFactory.DEPTH, depth));
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
        train(g, y, size, channels, 20);
        Nd4j.getRandom().setSeed(5);
        for (Layer l : g.getLayers()) {
            if (l instanceof BatchNormalization) {
                uniform(l.getParam(BatchNormalizationParamInitializer.GAMMA), 0.5, 1.5);
                uniform(l.getParam(BatchNormalizationParamInitializer.BETA), -0.5, 0.5);
            }
        }
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, size, size, channels);

        INDArray reference = g.outputSingle(false, x).dup();
        assertEquals(List.of(), FastConvolutionPaths.folded(g), "outside the scope: nothing folded");
        Map<String, INDArray> activations = g.feedForward(new INDArray[] {x}, false, false);
        INDArray fused = folded(g, x, pairs, reluPairs, blocks);
        assertClose(reference, fused, "folded inference");
        try (FoldedInference f = FoldedInference.open(g)) {
            Map<String, INDArray> inScope = g.feedForward(new INDArray[] {x}, false, false);
            assertEquals(List.of(), FastConvolutionPaths.folded(g), "feedForward in the scope: nothing folded");
            assertEquals(activations.keySet(), inScope.keySet(), "vertices");
            for (var e : activations.entrySet()) {
                assertEquals(e.getValue(), inScope.get(e.getKey()), "activation of " + e.getKey());
            }
        }

        train(g, y, size, channels, 30); // inference, then training again, then inference
        INDArray reference2 = g.outputSingle(false, x).dup();
        assertTrue(
                reference.sub(reference2).amaxNumber().doubleValue() > 1e-4, "the training steps changed the output");
        INDArray fused2 = folded(g, x, pairs, reluPairs, blocks);
        assertClose(reference2, fused2, "folded inference after 3 more training steps");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, bytes, true);
        ComputationGraph loaded =
                ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(g.getConfiguration().toJson(), loaded.getConfiguration().toJson(), "saved configuration");
        assertClose(reference2, folded(loaded, x, pairs, reluPairs, blocks), "folded inference of the loaded model");

        System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
        try (FoldedInference f = FoldedInference.open(g)) {
            assertClose(reference2, g.outputSingle(false, x), "dl4j switch");
            assertEquals(List.of(), FastConvolutionPaths.folded(g), "dl4j switch: nothing folded");
            assertEquals(0, FastConvolutionPaths.passedThrough(g), "dl4j switch: every batch norm computes");
        }
    }

    private static INDArray folded(ComputationGraph g, INDArray x, int pairs, int reluPairs, int blocks) {
        try (FoldedInference f = FoldedInference.open(g)) {
            assertEquals(pairs, f.pairs(), "pairs");
            assertEquals(blocks, f.residualPairs(), "pairs ending a residual block");
            INDArray out = g.outputSingle(false, x).dup();
            List<String> folded = FastConvolutionPaths.folded(g);
            assertEquals(pairs, folded.size(), "folded convolutions: " + folded);
            assertEquals(
                    reluPairs + blocks,
                    folded.stream().filter(d -> d.contains("+ relu post-op")).count(),
                    "ReLU post-ops (the batch norms' and the residual adds'): " + folded);
            assertEquals(
                    blocks,
                    folded.stream()
                            .filter(d -> d.contains("+ sum post-op + relu post-op"))
                            .count(),
                    "residual adds fused: " + folded);
            assertEquals(pairs, FastConvolutionPaths.passedThrough(g), "batch norms passing their input on");
            assertEquals(blocks, FastConvolutionPaths.addsPassedThrough(g), "adds passing their input on");
            return out;
        }
    }

    private static void train(ComputationGraph g, INDArray y, int size, int channels, long seed) {
        for (int s = 0; s < 3; s++) {
            Nd4j.getRandom().setSeed(seed + s);
            g.fit(new INDArray[] {Nd4j.rand(DataType.FLOAT, y.size(0), size, size, channels)}, new INDArray[] {y});
        }
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
