package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.LossTerm;
import org.camloss.api.Params;
import org.camloss.api.layers.AddReluVertex;
import org.camloss.api.layers.FastBatchNormLayer;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Structure, parameter counts, validation and the oneDNN helper of {@code resnet-cifar}. */
class ResNetCifarTest {
    private final ResNetCifarFactory factory = new ResNetCifarFactory();

    private Backbone backbone(int depth, double width) {
        return factory.create(Params.resolve(factory.params(), Map.of("depth", depth, "width", width)));
    }

    private static CamModel model(Backbone backbone, InputShape shape, CNN2DFormat format) {
        return new ModelAssembler()
                .seed(1)
                .format(format)
                .assemble(
                        backbone,
                        shape,
                        10,
                        Objective.of(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0))));
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 12, 21, 109, 111, 199})
    void rejectsDepthsThatAreNot6nPlus2(int depth) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(Params.ofResolved(Map.of("depth", depth, "width", 1.0, "shortcut", "B"))));
        assertEquals("depth must be 6n+2 (8, 14, 20, 32, 44, 56, 110), found " + depth, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 14, 20, 32, 44, 56, 110, 200})
    void acceptsEvery6nPlus2Depth(int depth) {
        ResNetCifar r = (ResNetCifar) factory.create(Params.resolve(factory.params(), Map.of("depth", depth)));
        assertEquals(depth, r.depth());
    }

    /** {@code create} checks the range itself too, for values that did not pass through {@link Params#resolve}. */
    @ParameterizedTest
    @ValueSource(ints = {2, 206})
    void createRejectsDepthsOutOfRange(int depth) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(Params.ofResolved(Map.of("depth", depth, "width", 1.0, "shortcut", "B"))));
        assertEquals("depth must be in [8, 200], found " + depth, e.getMessage());
    }

    @Test
    void depth10IsRejectedWithTheDocumentedMessage() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(Params.resolve(factory.params(), Map.of("depth", 10))));
        assertEquals("depth must be 6n+2 (8, 14, 20, 32, 44, 56, 110), found 10", e.getMessage());
    }

    @Test
    void outOfRangeParamsAreRejectedBeforeCreate() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Params.resolve(factory.params(), Map.of("depth", 2, "shortcut", "C")));
        assertEquals("depth: must be in [8, 200], found 2; shortcut: must be one of [A, B], found 'C'", e.getMessage());
    }

    @Test
    void infoDeclaresChannelsStrideAndStages() {
        BackboneInfo info = backbone(20, 1.0).info();
        assertEquals(64, info.channels());
        assertEquals(4, info.stride());
        assertEquals(
                List.of(
                        new BackboneInfo.Stage("s1_b2_relu", 16, 1),
                        new BackboneInfo.Stage("s2_b2_relu", 32, 2),
                        new BackboneInfo.Stage("s3_b2_relu", 64, 4)),
                info.stages());
        assertEquals(
                List.of(
                        new BackboneInfo.Stage("s1_b0_relu", 8, 1),
                        new BackboneInfo.Stage("s2_b0_relu", 16, 2),
                        new BackboneInfo.Stage("s3_b0_relu", 32, 4)),
                backbone(8, 0.5).info().stages());
    }

    @Test
    void widthsAreRoundedAndAtLeastOne() {
        assertArrayEquals(new int[] {16, 32, 64}, new ResNetCifar(1, 1.0).stageWidths());
        assertArrayEquals(new int[] {24, 48, 96}, new ResNetCifar(1, 1.5).stageWidths());
        assertArrayEquals(new int[] {1, 2, 4}, new ResNetCifar(1, 0.0625).stageWidths());
        assertArrayEquals(new int[] {1, 1, 2}, new ResNetCifar(1, 0.03).stageWidths());
        assertArrayEquals(new int[] {5, 10, 19}, new ResNetCifar(1, 0.3).stageWidths());
    }

    @Test
    void buildReturnsTheLastBlockAndNamesVerticesDeterministically() {
        CamModel m = model(backbone(8, 0.25), new InputShape(3, 8, 8), CNN2DFormat.NHWC);
        assertEquals("s3_b0_relu", m.featureVertex());
        List<String> names = new ArrayList<>();
        for (Layer l : m.graph().getLayers()) {
            names.add(l.conf().getLayer().getLayerName());
        }
        assertEquals(
                List.of(
                                "stem_conv",
                                "stem_bn",
                                "s1_b0_conv1",
                                "s1_b0_bn1",
                                "s1_b0_conv2",
                                "s1_b0_bn2",
                                "s2_b0_conv1",
                                "s2_b0_proj_conv",
                                "s2_b0_bn1",
                                "s2_b0_proj_bn",
                                "s2_b0_conv2",
                                "s2_b0_bn2",
                                "s3_b0_conv1",
                                "s3_b0_proj_conv",
                                "s3_b0_bn1",
                                "s3_b0_proj_bn",
                                "s3_b0_conv2",
                                "s3_b0_bn2",
                                "head")
                        .stream()
                        .sorted()
                        .toList(),
                names.stream().sorted().toList());
        // each block ends in one add-and-ReLU vertex
        for (String v : List.of("s1_b0_relu", "s2_b0_relu", "s3_b0_relu")) {
            assertTrue(m.graph().getConfiguration().getVertices().get(v) instanceof AddReluVertex, v);
        }
    }

    /**
     * Trainable parameters by hand: the stem 3×3 conv and BN, then per block two 3×3 convs and two BNs,
     * plus a 1×1 conv and a BN where the shape changes (stage entries 2 and 3, and stage 1 only if the
     * stem width differed). A BN layer has γ and β trainable; DL4J stores its running mean and
     * log10(std) as two more (non-trainable) parameters of the same size.
     */
    static long expectedTrainable(int depth, int[] w, int inChannels) {
        int n = (depth - 2) / 6;
        long total = 9L * inChannels * w[0] + 2L * w[0];
        int in = w[0];
        for (int s = 0; s < 3; s++) {
            for (int b = 0; b < n; b++) {
                int out = w[s];
                total += 9L * in * out + 2L * out + 9L * out * out + 2L * out;
                if (in != out || (s > 0 && b == 0)) {
                    total += (long) in * out + 2L * out;
                }
                in = out;
            }
        }
        return total;
    }

    /** Channels of every BN layer summed: the size of the running mean (and of the running log-std). */
    static long expectedBnChannels(int depth, int[] w) {
        int n = (depth - 2) / 6;
        long total = w[0];
        for (int s = 0; s < 3; s++) {
            total += 2L * n * w[s] + (s > 0 ? w[s] : 0);
        }
        return total;
    }

    private static long[] countBackbone(ComputationGraph g) {
        long trainable = 0;
        long runningStats = 0;
        for (Layer l : g.getLayers()) {
            if (l.conf().getLayer().getLayerName().equals(CamModel.HEAD)) {
                continue;
            }
            for (Map.Entry<String, INDArray> e : l.paramTable().entrySet()) {
                if (e.getKey().equals("mean")
                        || e.getKey().equals("var")
                        || e.getKey().equals("log10stdev")) {
                    runningStats += e.getValue().length();
                } else {
                    trainable += e.getValue().length();
                }
            }
        }
        return new long[] {trainable, runningStats};
    }

    @ParameterizedTest(name = "ResNet-{0} width {1}, {2} input channels")
    @CsvSource({"20, 1.0, 3", "8, 0.5, 1", "14, 1.5, 3", "56, 1.0, 3", "110, 1.0, 3"})
    void parameterCountsMatchTheFormula(int depth, double width, int inChannels) {
        ResNetCifar r = (ResNetCifar) backbone(depth, width);
        CamModel m = model(r, new InputShape(inChannels, 8, 8), CNN2DFormat.NHWC);
        long[] counted = countBackbone(m.graph());
        assertEquals(expectedTrainable(depth, r.stageWidths(), inChannels), counted[0], "trainable");
        assertEquals(2 * expectedBnChannels(depth, r.stageWidths()), counted[1], "BN running statistics");
        long head = 10L * r.info().channels() + 10;
        assertEquals(counted[0] + counted[1] + head, m.graph().numParams(), "all parameters");
    }

    @Test
    void resNet20HasTheHandCountedParameters() {
        // stem 432 + 32; stage 1: 3 x (2 x 2304 + 64); stage 2: 4608 + 9216 + 128 + 512 + 64 + 2 x (2 x 9216 + 128);
        // stage 3: 18432 + 36864 + 256 + 2048 + 128 + 2 x (2 x 36864 + 256)
        assertEquals(271_824, expectedTrainable(20, new int[] {16, 32, 64}, 3));
    }

    /**
     * He et al. report 0.27M, 0.85M and 1.7M parameters for ResNet-20/56/110 with option-A (parameter-free)
     * shortcuts; option B adds 2 752 (two 1×1 convs and their BNs).
     */
    @ParameterizedTest(name = "ResNet-{0}")
    @CsvSource({"20, 270000", "56, 850000", "110, 1700000"})
    void trainableCountsAreCloseToThePublishedOnes(int depth, long published) {
        CamModel m = model(backbone(depth, 1.0), new InputShape(3, 8, 8), CNN2DFormat.NHWC);
        long trainable = countBackbone(m.graph())[0];
        double rel = Math.abs(trainable - published) / (double) published;
        assertTrue(rel < 0.03, "ResNet-" + depth + ": " + trainable + " trainable parameters, published " + published);
    }

    /**
     * Convolutions: no bias, Same mode, the context's format, Kaiming-normal fan-out weights
     * (std = sqrt(2 / (out·k·k))); BN: γ = 1, β = 0, ε = 1e-5, decay 0.9, ReLU inside where BN precedes a ReLU.
     */
    @Test
    void layersAreConfiguredAndInitialisedAsSpecified() {
        CamModel m = model(backbone(20, 1.0), new InputShape(3, 8, 8), CNN2DFormat.NHWC);
        ComputationGraph g = m.graph();
        int convs = 0;
        int bns = 0;
        for (Layer l : g.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer c = l.conf().getLayer();
            if (c instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer conv) {
                convs++;
                assertEquals(false, conv.hasBias(), c.getLayerName());
                assertEquals(List.of("W"), List.copyOf(l.paramTable().keySet()), c.getLayerName());
                assertEquals(
                        org.deeplearning4j.nn.conf.ConvolutionMode.Same, conv.getConvolutionMode(), c.getLayerName());
                assertEquals(CNN2DFormat.NHWC, conv.getCnn2dDataFormat(), c.getLayerName());
            } else if (c instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn) {
                bns++;
                assertEquals(0.9, bn.getDecay(), 0.0, c.getLayerName());
                assertEquals(1e-5, bn.getEps(), 0.0, c.getLayerName());
                assertEquals(CNN2DFormat.NHWC, bn.getCnn2DFormat(), c.getLayerName());
                assertEquals(1.0, l.getParam("gamma").minNumber().doubleValue(), 0.0, c.getLayerName());
                assertEquals(1.0, l.getParam("gamma").maxNumber().doubleValue(), 0.0, c.getLayerName());
                assertEquals(0.0, l.getParam("beta").amaxNumber().doubleValue(), 0.0, c.getLayerName());
                String activation = bn.getActivationFn().getClass().getSimpleName();
                boolean beforeAdd =
                        c.getLayerName().endsWith("_bn2") || c.getLayerName().endsWith("_proj_bn");
                assertEquals(beforeAdd ? "ActivationIdentity" : "ActivationReLU", activation, c.getLayerName());
            }
        }
        assertEquals(21, convs, "19 3x3 convolutions and 2 projections");
        assertEquals(21, bns);
        // 36 864 and 2 048 weights: their sample std is within a few % of the target
        assertStd(g.getLayer("s3_b1_conv1").getParam("W"), Math.sqrt(2.0 / (64 * 9)), 0.03);
        assertStd(g.getLayer("s3_b0_proj_conv").getParam("W"), Math.sqrt(2.0 / 64), 0.08);
        assertStd(g.getLayer("stem_conv").getParam("W"), Math.sqrt(2.0 / (16 * 9)), 0.2);
    }

    private static void assertStd(INDArray w, double expected, double tolerance) {
        double mean = w.meanNumber().doubleValue();
        double std = w.stdNumber().doubleValue();
        assertEquals(0.0, mean, 4 * expected / Math.sqrt(w.length()), "mean");
        assertEquals(expected, std, tolerance * expected, "std of " + w.length() + " weights");
    }

    @Test
    void convolutionLayersUseTheOneDnnHelper() {
        assertEquals(
                "false",
                System.getProperty("org.eclipse.deeplearning4j.helpers.disable"),
                "the surefire argLine must set -Dorg.eclipse.deeplearning4j.helpers.disable=false");
        CamModel m = model(backbone(8, 0.25), new InputShape(3, 8, 8), CNN2DFormat.NHWC);
        ConvolutionLayer conv = (ConvolutionLayer) m.graph().getLayer("s2_b0_conv1");
        assertNotNull(
                conv.getHelper(),
                "no oneDNN helper on " + conv.conf().getLayer().getLayerName());
        assertInstanceOf(
                FastBatchNormLayer.class,
                m.graph().getLayer("stem_bn"),
                "batch norm is camloss's own (matrix-product reductions), not DL4J's with its oneDNN helper");
    }

    @ParameterizedTest
    @CsvSource({"NHWC", "NCHW"})
    void oddInputGivesCeilOfSizeOverStride(CNN2DFormat format) {
        CamModel m = model(backbone(8, 0.25), new InputShape(2, 9, 9), format);
        INDArray x = format == CNN2DFormat.NHWC
                ? Nd4j.rand(DataType.FLOAT, 3, 9, 9, 2)
                : Nd4j.rand(DataType.FLOAT, 3, 2, 9, 9);
        Map<String, INDArray> acts = m.graph().feedForward(new INDArray[] {x}, false, false);
        long[] f = acts.get(m.featureVertex()).shape();
        long[] expected = format == CNN2DFormat.NHWC ? new long[] {3, 3, 3, 16} : new long[] {3, 16, 3, 3};
        assertArrayEquals(expected, f);
        long[] s2 = acts.get("s2_b0_relu").shape();
        assertArrayEquals(format == CNN2DFormat.NHWC ? new long[] {3, 5, 5, 8} : new long[] {3, 8, 5, 5}, s2);
    }
}
