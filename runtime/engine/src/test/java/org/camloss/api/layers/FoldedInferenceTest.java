package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * One convolution → batch norm pair ({@link FastConvolution} → {@link FastBatchNorm}, the graph's output) under
 * {@link FoldedInference} against the same graph outside the scope (unfused: the convolution on its oneDNN plan, then
 * the batch norm): outputs, which path each layer took, the switches that keep the unfused path, the activations of
 * vertices (unchanged), parameters changed between passes, a saved and loaded model.
 *
 * <p>The batch-norm parameters are random and far from their initial values (γ in [0.5, 1.5], β and the running mean
 * in [−0.5, 0.5], the running variance in [0.25, 2.25]), so that a wrong fold (a missing β, std for var, the scale on
 * the wrong axis) shows. Tolerance 1e-5 of the largest output value: the folded convolution sums up to 64·9 = 576
 * products of pre-scaled weights where the unfused one scales the sum, a different rounding of the order of
 * √576·2⁻²⁴ ≈ 1.4e-6 relative; one wrong term is of the order of 1e-1.
 */
class FoldedInferenceTest {
    private static final double TOLERANCE = 1e-5;

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
    }

    static Stream<Arguments> cases() {
        // in, out, kernel, stride, bias, relu, log10(std) statistics, height, width
        return Stream.of(
                Arguments.of(1, 16, 3, 1, false, true, true, 28, 28),
                Arguments.of(3, 16, 3, 1, false, true, false, 32, 32),
                Arguments.of(16, 16, 3, 1, false, false, true, 14, 14),
                Arguments.of(16, 32, 3, 2, true, true, true, 9, 8),
                Arguments.of(16, 32, 1, 2, false, false, true, 8, 8),
                Arguments.of(64, 64, 3, 1, true, false, false, 8, 8),
                Arguments.of(32, 64, 3, 2, false, true, true, 16, 16));
    }

    static ComputationGraph pair(
            DataType type,
            CNN2DFormat format,
            int in,
            int out,
            int k,
            int s,
            boolean bias,
            boolean relu,
            boolean logStd,
            int h,
            int w) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(type)
                .updater(new Sgd(0.01))
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(h, w, in, format));
        Layers layers = new Layers(gb, format);
        layers.conv("conv", "in", in, out, k, s, bias, Activation.IDENTITY, 0);
        FastBatchNorm bn = FastBatchNorm.of(
                out, format, Layers.BN_EPS, Layers.BN_DECAY, relu ? Activation.RELU : Activation.IDENTITY);
        bn.setUseLogStd(logStd);
        gb.addLayer("bn", bn, "conv");
        gb.setOutputs("bn");
        ComputationGraph g = new ComputationGraph(gb.build());
        g.init();
        randomise(g, 5);
        return g;
    }

    /** Random bias and batch-norm parameters and statistics, away from their initial values. */
    static void randomise(ComputationGraph g, long seed) {
        Nd4j.getRandom().setSeed(seed);
        var conv = g.getLayer("conv");
        conv.getParam(ConvolutionParamInitializer.WEIGHT_KEY)
                .assign(Nd4j.randn(
                                conv.getParam(ConvolutionParamInitializer.WEIGHT_KEY)
                                        .dataType(),
                                conv.getParam(ConvolutionParamInitializer.WEIGHT_KEY)
                                        .shape())
                        .muli(0.2));
        if (conv.paramTable().containsKey(ConvolutionParamInitializer.BIAS_KEY)) {
            uniform(conv.getParam(ConvolutionParamInitializer.BIAS_KEY), -0.5, 0.5);
        }
        var bn = g.getLayer("bn");
        uniform(bn.getParam(BatchNormalizationParamInitializer.GAMMA), 0.5, 1.5);
        uniform(bn.getParam(BatchNormalizationParamInitializer.BETA), -0.5, 0.5);
        uniform(bn.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN), -0.5, 0.5);
        INDArray var = Nd4j.rand(
                        bn.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN)
                                .dataType(),
                        bn.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN)
                                .shape())
                .muli(2)
                .addi(0.25);
        if (bn.paramTable().containsKey(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)) {
            // log10(std) = log10(var) / 2
            bn.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                    .assign(org.nd4j.linalg.ops.transforms.Transforms.log(var, 10.0, true)
                            .muli(0.5));
        } else {
            bn.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).assign(var);
        }
    }

    private static void uniform(INDArray a, double lo, double hi) {
        a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(hi - lo).addi(lo));
    }

    private static INDArray input(DataType type, int n, int h, int w, int c) {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.randn(type, n, h, w, c);
    }

    private static INDArray folded(ComputationGraph g, INDArray x) {
        try (FoldedInference f = FoldedInference.open(g)) {
            assertEquals(1, f.pairs(), "pairs");
            return g.outputSingle(false, x).dup();
        }
    }

    private static FastConvolutionLayer conv(ComputationGraph g) {
        return (FastConvolutionLayer) g.getLayer("conv");
    }

    private static FastBatchNormLayer bn(ComputationGraph g) {
        return (FastBatchNormLayer) g.getLayer("bn");
    }

    @ParameterizedTest(name = "{0}->{1} k{2} s{3} bias {4} relu {5} logStd {6} {7}x{8}")
    @MethodSource("cases")
    void foldedPairMatchesUnfused(
            int in, int out, int k, int s, boolean bias, boolean relu, boolean logStd, int h, int w) {
        ComputationGraph g = pair(DataType.FLOAT, CNN2DFormat.NHWC, in, out, k, s, bias, relu, logStd, h, w);
        INDArray x = input(DataType.FLOAT, 5, h, w, in);
        INDArray reference = g.outputSingle(false, x).dup();
        assertNull(conv(g).foldedDescription(), "outside the scope: unfused");
        assertNotNull(conv(g).nativeForwardDescription(), "outside the scope: the convolution on its plan");
        assertFalse(bn(g).passedThrough(), "outside the scope: the batch norm computes");

        INDArray fused;
        try (FoldedInference f = FoldedInference.open(g)) {
            assertEquals(1, f.pairs(), "pairs");
            fused = g.outputSingle(false, x).dup();
            assertTrue(bn(g).passedThrough(), "in the scope: the batch norm passes its input on");
        }
        String path = conv(g).foldedDescription();
        assertNotNull(path, "in the scope: folded");
        assertEquals(relu, path.contains("+ relu post-op"), "ReLU as the plan's post-op: " + path);
        assertFalse(bn(g).passedThrough(), "after the scope: no pass-through");
        assertClose(reference, fused, "folded output");
        if (relu) {
            assertTrue(fused.minNumber().doubleValue() >= 0, "ReLU applied");
        } else {
            assertTrue(fused.minNumber().doubleValue() < 0, "no ReLU");
        }

        INDArray after = g.outputSingle(false, x).dup();
        assertNull(conv(g).foldedDescription(), "after the scope: unfused again");
        assertEquals(reference, after, "after the scope: the unfused output");
    }

    @Test
    void foldedWeightsFollowParameterChanges() {
        ComputationGraph g = pair(DataType.FLOAT, CNN2DFormat.NHWC, 16, 32, 3, 1, true, true, true, 8, 8);
        INDArray x = input(DataType.FLOAT, 4, 8, 8, 16);
        try (FoldedInference f = FoldedInference.open(g)) {
            INDArray first = g.outputSingle(false, x).dup();
            randomise(g, 77); // new weights, bias, γ, β and statistics, written into the parameters in place
            INDArray second = g.outputSingle(false, x).dup();
            assertNotNull(conv(g).foldedDescription(), "folded");
            assertTrue(first.sub(second).amaxNumber().doubleValue() > 1e-2, "the parameters changed the output");
            System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
            INDArray reference = g.outputSingle(false, x).dup();
            assertNull(conv(g).foldedDescription(), "dl4j switch: unfused");
            assertClose(reference, second, "folded output after the parameters changed");
        }
    }

    @Test
    void activationsOfVerticesKeepTheirMeaning() {
        ComputationGraph g = pair(DataType.FLOAT, CNN2DFormat.NHWC, 16, 16, 3, 1, false, true, true, 8, 8);
        INDArray x = input(DataType.FLOAT, 4, 8, 8, 16);
        Map<String, INDArray> reference = g.feedForward(x, false);
        INDArray convReference = reference.get("conv").dup();
        INDArray bnReference = reference.get("bn").dup();
        try (FoldedInference f = FoldedInference.open(g)) {
            Map<String, INDArray> acts = g.feedForward(x, false);
            assertNull(conv(g).foldedDescription(), "feedForward: unfused");
            assertEquals(convReference, acts.get("conv"), "feedForward: the convolution's activation");
            assertEquals(bnReference, acts.get("bn"), "feedForward: the batch norm's activation");

            INDArray[] both = g.output(List.of("conv", "bn"), false, new INDArray[] {x}, null);
            assertNull(conv(g).foldedDescription(), "output(conv, bn): unfused");
            assertEquals(convReference, both[0], "output(conv, bn): the convolution's activation");
            assertEquals(bnReference, both[1], "output(conv, bn): the batch norm's activation");

            INDArray[] onlyBn = g.output(List.of("bn"), false, new INDArray[] {x}, null);
            assertNotNull(conv(g).foldedDescription(), "output(bn): folded");
            assertClose(bnReference, onlyBn[0], "output(bn)");
        }
    }

    @Test
    void switchDoublePrecisionAndNchwKeepTheUnfusedPath() {
        ComputationGraph g = pair(DataType.FLOAT, CNN2DFormat.NHWC, 3, 16, 3, 1, false, true, true, 10, 10);
        INDArray x = input(DataType.FLOAT, 2, 10, 10, 3);
        INDArray reference = g.outputSingle(false, x).dup();
        System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
        INDArray switched = folded(g, x);
        assertNull(conv(g).foldedDescription(), "dl4j switch: unfused");
        assertNull(conv(g).nativeForwardDescription(), "dl4j switch: libnd4j's convolution");
        assertFalse(bn(g).passedThrough(), "dl4j switch: the batch norm computes");
        assertClose(reference, switched, "dl4j switch");
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);

        ComputationGraph d = pair(DataType.DOUBLE, CNN2DFormat.NHWC, 3, 16, 3, 1, false, true, true, 10, 10);
        INDArray xd = input(DataType.DOUBLE, 2, 10, 10, 3);
        INDArray doubleReference = d.outputSingle(false, xd).dup();
        INDArray doubles = folded(d, xd);
        assertNull(conv(d).foldedDescription(), "double: unfused");
        assertFalse(bn(d).passedThrough(), "double: the batch norm computes");
        assertEquals(doubleReference, doubles, "double");

        ComputationGraph nchw = pair(DataType.FLOAT, CNN2DFormat.NCHW, 3, 16, 3, 1, false, true, true, 10, 10);
        try (FoldedInference f = FoldedInference.open(nchw)) {
            assertEquals(0, f.pairs(), "NCHW pairs");
            nchw.outputSingle(false, Nd4j.randn(DataType.FLOAT, 2, 3, 10, 10));
            assertNull(conv(nchw).foldedDescription(), "NCHW: unfused");
        }
    }

    @Test
    void trainingInTheScopeIsUnfused() {
        ComputationGraph g = pair(DataType.FLOAT, CNN2DFormat.NHWC, 3, 16, 3, 1, false, true, true, 10, 10);
        INDArray x = input(DataType.FLOAT, 2, 10, 10, 3);
        INDArray reference = g.outputSingle(true, x).dup();
        try (FoldedInference f = FoldedInference.open(g)) {
            INDArray training = g.outputSingle(true, x).dup();
            assertNull(conv(g).foldedDescription(), "training mode: unfused");
            assertFalse(bn(g).passedThrough(), "training mode: the batch norm computes");
            assertEquals(reference, training, "training-mode output");
        }
    }

    @Test
    void savedAndLoadedModelFoldsAndConfigurationIsUnchanged() throws IOException {
        ComputationGraph g = pair(DataType.FLOAT, CNN2DFormat.NHWC, 16, 32, 3, 2, false, true, true, 12, 12);
        INDArray x = input(DataType.FLOAT, 3, 12, 12, 16);
        INDArray reference = g.outputSingle(false, x).dup();
        String json = g.getConfiguration().toJson();
        INDArray fused = folded(g, x);
        assertEquals(json, g.getConfiguration().toJson(), "configuration after folding");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, bytes, true);
        ComputationGraph loaded =
                ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(json, loaded.getConfiguration().toJson(), "saved configuration");
        assertEquals(g.params(), loaded.params(), "saved parameters");
        INDArray loadedFused = folded(loaded, x);
        assertNotNull(conv(loaded).foldedDescription(), "loaded model: folded");
        assertEquals(fused, loadedFused, "loaded model, folded");
        assertClose(reference, loadedFused, "loaded model against the unfused output");
    }

    @Test
    void batchNormRefusesAnotherArrayAfterAFoldedConvolution() {
        ComputationGraph g = pair(DataType.FLOAT, CNN2DFormat.NHWC, 3, 16, 3, 1, false, true, true, 6, 6);
        try (FoldedInference f = FoldedInference.open(g)) {
            bn(g).expectFolded(Nd4j.zeros(DataType.FLOAT, 1, 6, 6, 16), false);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> bn(g).setInput(
                            Nd4j.zeros(DataType.FLOAT, 1, 6, 6, 16), LayerWorkspaceMgr.noWorkspaces()));
            assertEquals(
                    "FastBatchNorm layer 'bn': its convolution ran with this batch norm folded in, but the batch norm"
                            + " was given another array than the convolution's output (shape [1, 6, 6, 16])",
                    e.getMessage());
        }
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }
}
