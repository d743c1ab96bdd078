package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.engine.model.CamModel;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** Cutting, copying, validation messages and gradients of {@code dl4j-graph}. */
class Dl4jGraphTest {
    private final Dl4jGraphFactory factory = new Dl4jGraphFactory();

    private static List<String> simpleCnnVertices() {
        List<String> v = new ArrayList<>(List.of("image_array"));
        for (int i = 1; i <= 32; i++) {
            v.add("layer" + i);
        }
        return v;
    }

    @Test
    void needsExactlyOneSource() {
        IllegalArgumentException neither = assertThrows(
                IllegalArgumentException.class, () -> Support.create(factory, Map.of("zoo", "", "file", "")));
        assertEquals("dl4j-graph needs exactly one of 'zoo' or 'file', found neither", neither.getMessage());
        IllegalArgumentException both = assertThrows(
                IllegalArgumentException.class,
                () -> Support.create(factory, Map.of("zoo", "simple-cnn", "file", "model.zip")));
        assertEquals("dl4j-graph needs exactly one of 'zoo' or 'file', found both", both.getMessage());
    }

    @Test
    void unknownZooModelListsTheAvailableOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Support.create(factory, Map.of("zoo", "lenet5")));
        assertEquals(
                "no zoo model 'lenet5'; available: [alexnet, darknet19, resnet50, simple-cnn, squeezenet, vgg16, "
                        + "vgg19, xception]",
                e.getMessage());
    }

    @Test
    void unknownVertexListsTheGraphsVertices() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Support.create(factory, Map.of("zoo", "simple-cnn", "vertex", "conv9")));
        assertEquals(
                "vertex 'conv9' is not in zoo model 'simple-cnn'; vertices: " + simpleCnnVertices(), e.getMessage());
    }

    @Test
    void vertexThatIsNotAMapListsTheOnesThatAre() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Support.create(factory, Map.of("zoo", "simple-cnn", "vertex", "layer31")));
        assertEquals(
                "vertex 'layer31' of zoo model 'simple-cnn' outputs InputTypeFeedForward(10), not a 4-D feature map; "
                        + "vertices with 4-D outputs: " + simpleCnnVertices().subList(0, 31),
                e.getMessage());
    }

    @Test
    void missingFileIsReported() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Support.create(factory, Map.of("zoo", "", "file", "/no/such/model.zip")));
        assertEquals("model file '/no/such/model.zip' does not exist", e.getMessage());
    }

    /**
     * The copy holds exactly the source layers up to the cut, NHWC, with camloss's updater instead of the zoo's
     * AdaDelta, and as many parameters as those layers of the zoo network.
     */
    @Test
    void copiesTheLayersUpToTheCut() {
        Dl4jGraph backbone = (Dl4jGraph) Support.create(factory, Map.of("zoo", "simple-cnn", "vertex", "layer25"));
        assertEquals(new BackboneInfo(128, 8, List.of(new BackboneInfo.Stage("src_layer25", 128, 8))), backbone.info());
        CamModel m = new org.camloss.engine.model.ModelAssembler()
                .updater(new Sgd(0.01))
                .assemble(backbone, new InputShape(3, 16, 16), 10, Support.crossEntropy());
        ComputationGraph g = m.graph();
        assertEquals("src_layer25", m.featureVertex());
        assertNotNull(g.getVertex("src_image_array"));
        assertNull(g.getVertex("src_layer26"));
        ConvolutionLayer conv =
                (ConvolutionLayer) g.getLayer("src_layer2").conf().getLayer();
        assertEquals(CNN2DFormat.NHWC, conv.getCnn2dDataFormat());
        assertInstanceOf(
                org.camloss.api.layers.FastConvolution.class, conv, "DL4J's convolutions become FastConvolution");
        assertInstanceOf(Sgd.class, ((BaseLayer) conv).getIUpdater());

        MultiLayerNetwork source = (MultiLayerNetwork)
                Dl4jGraph.ZOO.get("simple-cnn").apply(new int[] {3, 16, 16}).init();
        long expected = 0;
        for (int i = 0; i <= 25; i++) {
            expected += source.getLayer(i).numParams();
        }
        assertEquals(expected + 10 * 128 + 10, g.numParams());
        INDArray out = g.feedForward(new INDArray[] {Nd4j.rand(DataType.FLOAT, 2, 16, 16, 3)}, false, false)
                .get("src_layer25");
        assertArrayEquals(new long[] {2, 2, 2, 128}, out.shape());
    }

    /**
     * The zoo's AlexNet has convolutions with a ReLU (DL4J's NHWC convolution then has wrong weight gradients under
     * oneDNN): they are copied as FastConvolution with the activation kept, and train to finite parameters.
     */
    @Test
    void convolutionsWithAnActivationBecomeFastConvolutionsThatTrain() {
        Dl4jGraph backbone = (Dl4jGraph) Support.create(factory, Map.of("zoo", "alexnet", "vertex", "cnn2"));
        CamModel m = Support.model(backbone, new InputShape(3, 64, 64), 4);
        for (String name : List.of("src_cnn1", "src_cnn2")) {
            var layer = (ConvolutionLayer) m.graph().getLayer(name).conf().getLayer();
            assertInstanceOf(org.camloss.api.layers.FastConvolution.class, layer, name);
            assertEquals("relu", layer.getActivationFn().toString(), name);
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 64, 64, 3);
        INDArray y = Nd4j.eye(4).castTo(DataType.FLOAT);
        for (int i = 0; i < 3; i++) {
            m.graph().fit(new INDArray[] {x}, new INDArray[] {y});
            assertTrue(
                    Double.isFinite(m.graph().score()),
                    "loss at step " + i + " is " + m.graph().score());
        }
        assertTrue(Double.isFinite(m.graph().params().norm2Number().doubleValue()), "parameters are not finite");
    }

    /**
     * A cut at the first layer after the input: DL4J M2.1's output of that vertex leaves a workspace open, so the model
     * falls back to feedForward; training and repeated inference both work.
     */
    @Test
    void aCutAtTheFirstLayerAfterTheInputTrainsAndInfers() {
        Dl4jGraph backbone = (Dl4jGraph) Support.create(factory, Map.of("zoo", "simple-cnn", "vertex", "image_array"));
        CamModel m = Support.model(backbone, new InputShape(3, 16, 16), 4);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 16, 16, 3);
        m.graph().fit(new INDArray[] {x}, new INDArray[] {Nd4j.eye(4).castTo(DataType.FLOAT)});
        for (int i = 0; i < 2; i++) {
            CamModel.Forward f = m.forward(x);
            assertEquals(backbone.info().channels(), f.features().size(1));
            assertTrue(Double.isFinite(f.logits().sumNumber().doubleValue()));
        }
        m.graph().fit(new INDArray[] {x}, new INDArray[] {Nd4j.eye(4).castTo(DataType.FLOAT)});
        assertTrue(Double.isFinite(m.graph().score()));
    }

    /** SqueezeNet's fire modules concatenate with merge vertices, which must follow the NHWC channel axis. */
    @Test
    void mergeVerticesConcatenateChannelsInNhwc() {
        Dl4jGraph backbone = (Dl4jGraph) Support.create(factory, Map.of("zoo", "squeezenet", "vertex", "fire3"));
        assertEquals(128, backbone.info().channels());
        CamModel m = Support.model(backbone, new InputShape(3, 64, 64), 10);
        INDArray out = m.graph()
                .feedForward(new INDArray[] {Nd4j.rand(DataType.FLOAT, 1, 64, 64, 3)}, false, false)
                .get("src_fire3");
        assertEquals(128, out.size(3));
    }

    /** A saved model's architecture and weights are copied; its input channels must match the data. */
    @Test
    void copiesTheArchitectureAndWeightsOfAModelFile(@TempDir Path dir) throws Exception {
        MultiLayerNetwork source = (MultiLayerNetwork)
                Dl4jGraph.ZOO.get("simple-cnn").apply(new int[] {3, 16, 16}).init();
        File file = dir.resolve("simple.zip").toFile();
        ModelSerializer.writeModel(source, file, false);
        Dl4jGraph backbone =
                (Dl4jGraph) Support.create(factory, Map.of("zoo", "", "file", file.getPath(), "vertex", "layer11"));
        assertEquals(32, backbone.info().channels());
        assertEquals(2, backbone.info().stride());
        CamModel m = Support.model(backbone, new InputShape(3, 16, 16), 10);
        assertNotNull(m.graph().getVertex("src_layer11"));
        int copied = 0;
        for (int i = 0; i < source.getLayers().length; i++) {
            if (m.graph().getVertex("src_layer" + i) == null
                    || source.getLayer(i).numParams() == 0) {
                continue;
            }
            for (var e : source.getLayer(i).paramTable().entrySet()) {
                assertEquals(
                        e.getValue(),
                        m.graph().getLayer("src_layer" + i).getParam(e.getKey()),
                        "layer" + i + "." + e.getKey());
            }
            copied++;
        }
        assertTrue(copied >= 4, "copied " + copied + " layers");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Support.model(backbone, new InputShape(1, 16, 16), 10));
        assertEquals("the model in '" + file.getPath() + "' takes 3 input channels, the data has 1", e.getMessage());
    }

    /** Sampled check of SimpleCNN up to layer4 (conv, BN, conv, BN, ReLU; the dropout layers come later). */
    @Test
    void passesTheGradientCheck() {
        assertEquals(
                List.of(),
                Support.sampledGradientCheck(
                        Support.create(factory, Map.of("zoo", "simple-cnn", "vertex", "layer4")),
                        new InputShape(1, 5, 5),
                        4,
                        1.0));
    }
}
