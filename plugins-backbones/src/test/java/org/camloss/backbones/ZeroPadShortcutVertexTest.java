package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Path;
import org.camloss.api.InputShape;
import org.camloss.api.layers.ZeroPadShortcutVertex;
import org.camloss.engine.model.CamModel;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The option-A shortcut vertex subsamples and zero-pads in both layouts and survives JSON and model files. */
class ZeroPadShortcutVertexTest {
    @ParameterizedTest
    @CsvSource({"NHWC, 2, 1, 2", "NCHW, 2, 1, 2", "NHWC, 1, 0, 3", "NCHW, 3, 2, 0"})
    void subsamplesAndPads(CNN2DFormat format, int stride, int before, int after) {
        boolean nhwc = format == CNN2DFormat.NHWC;
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(5, 4, 2, format))
                .addVertex("pad", new ZeroPadShortcutVertex(stride, before, after, nhwc), "in")
                .addLayer(
                        "out",
                        new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                                .activation(Activation.IDENTITY)
                                .format(format)
                                .build(),
                        "pad")
                .setOutputs("out")
                .build();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf.getVertices().get("pad"), back.getVertices().get("pad"));
        ComputationGraph g = new ComputationGraph(back);
        g.init();
        INDArray nchw = Nd4j.rand(DataType.FLOAT, 3, 2, 5, 4);
        INDArray x = nhwc ? nchw.permute(0, 2, 3, 1).dup() : nchw;
        INDArray y = g.feedForward(new INDArray[] {x}, false, false).get("pad");
        INDArray yNchw = nhwc ? y.permute(0, 3, 1, 2) : y;
        long oh = (5 + stride - 1) / stride;
        long ow = (4 + stride - 1) / stride;
        assertArrayEquals(new long[] {3, 2 + before + after, oh, ow}, yNchw.shape());
        INDArray expected = Nd4j.zeros(DataType.FLOAT, 3, 2 + before + after, oh, ow);
        expected.get(
                        NDArrayIndex.all(),
                        NDArrayIndex.interval(before, before + 2),
                        NDArrayIndex.all(),
                        NDArrayIndex.all())
                .assign(nchw.get(
                        NDArrayIndex.all(),
                        NDArrayIndex.all(),
                        NDArrayIndex.interval(0, stride, 5),
                        NDArrayIndex.interval(0, stride, 4)));
        assertEquals(expected, yNchw.dup());
    }

    /** A whole model with option-A shortcuts survives DL4J's model file (as runs and teachers are saved). */
    @Test
    void modelsWithTheVertexSurviveModelSerializer(@TempDir Path dir) throws Exception {
        CamModel m = Support.model(new ResNetCifar(1, 0.25, 'A', true), new InputShape(3, 8, 8), 4);
        File file = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(m.graph(), file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 8, 3);
        assertEquals(
                m.graph().feedForward(new INDArray[] {x}, false, false).get("s3_b0_short"),
                restored.feedForward(new INDArray[] {x}, false, false).get("s3_b0_short"));
        assertEquals(m.graph().outputSingle(x), restored.outputSingle(x));
    }
}
