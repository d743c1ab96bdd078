package org.camloss.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.camloss.api.InputShape;
import org.camloss.api.Params;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.camloss.api.layers.FastConvolution;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.explain.CamBatch;
import org.camloss.engine.explain.ExplainedModel;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.testkit.TinyNets;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The known identity: for a global average pooling + linear head, ∂z_t/∂A_c[i, j] = W[t, c] / (h·w), so Grad-CAM at
 * the pooled map is ReLU(CAM) / (h·w). Checked on a camloss model (whose gradient there is computed in closed form)
 * and on a plain DL4J graph (GAP layer, softmax output layer), whose gradient comes from DL4J's backpropagation
 * through the pooling layer. Layer-CAM there weighs each channel by its positive head weight.
 */
class GradCamIsCamAtTheHeadTest {
    private static INDArray maps(CamMethodFactory f, ExplainedModel m, String layer, INDArray x, int[] t) {
        CamMethod method = f.create(Params.defaults(f.params()));
        return new CamBatch(m, layer, x, t, 8).maps(method);
    }

    private static void assertIdentity(ExplainedModel m, String layer, INDArray x, int[] t) {
        INDArray cam = maps(new CamFactory(), m, layer, x, t);
        INDArray grad = maps(new GradCamFactory(), m, layer, x, t);
        long area = cam.size(1) * cam.size(2);
        INDArray expected = Transforms.relu(cam, true).divi(area);
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0, "a degenerate test: every CAM is negative");
        double diff = expected.sub(grad).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-6 * scale, "Grad-CAM differs from ReLU(CAM)/(h·w) by " + diff + " (scale " + scale + ")");
        assertTrue(Transforms.relu(cam.neg(), true).amaxNumber().doubleValue() > 0, "no negative CAM: ReLU untested");
    }

    @Test
    void onACamlossModel() {
        CamModel model = TinyNets.model(
                TinyNets.twoStage(),
                Objective.of(ctx -> List.of(CrossEntropy.term(ctx))),
                DataType.FLOAT,
                new Sgd(0.1),
                5);
        ExplainedModel m = ExplainedModel.of(model);
        INDArray x = TinyNets.images(6, DataType.FLOAT, 2);
        assertIdentity(m, "conv2", x, new int[] {0, 1, 2, 0, 1, 2});
    }

    @Test
    void onAPlainGraphThroughDl4jBackpropagation() {
        InputShape shape = new InputShape(3, 7, 5);
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(9)
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(7, 5, 3, CNN2DFormat.NHWC))
                .addLayer(
                        "conv",
                        new FastConvolution(new ConvolutionLayer.Builder(3, 3)
                                .nOut(6)
                                .convolutionMode(ConvolutionMode.Same)
                                .activation(Activation.TANH)
                                .dataFormat(CNN2DFormat.NHWC)),
                        "in")
                .addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), "conv")
                .addLayer(
                        "fc",
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nIn(6)
                                .nOut(4)
                                .activation(Activation.SOFTMAX)
                                .build(),
                        "gap")
                .setOutputs("fc")
                .build());
        g.init();
        ExplainedModel m = ExplainedModel.ofGraph(g, shape, "fc", null, false);
        assertEquals("conv", m.defaultLayer());
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 7, 5, 3);
        assertIdentity(m, "conv", x, new int[] {3, 2, 1, 0, 3});
    }

    @Test
    void layerCamThereWeighsEachChannelByItsPositiveHeadWeight() {
        CamModel model = TinyNets.model(
                TinyNets.twoStage(),
                Objective.of(ctx -> List.of(CrossEntropy.term(ctx))),
                DataType.FLOAT,
                new Sgd(0.1),
                6);
        ExplainedModel m = ExplainedModel.of(model);
        INDArray x = TinyNets.images(3, DataType.FLOAT, 7);
        int[] t = {2, 0, 1};
        INDArray a = new CamBatch(m, "conv2", x, t, 8).activations();
        INDArray w = model.classifierWeight();
        long area = a.size(2) * a.size(3);
        // Layer-CAM with the constant gradient W[t, c] / (h·w): ReLU(Σ_c ReLU(W[t, c] / (h·w)) A_c)
        INDArray layerCam = maps(new LayerCamFactory(), m, "conv2", x, t);
        for (int n = 0; n < 3; n++) {
            for (int i = 0; i < a.size(2); i++) {
                for (int j = 0; j < a.size(3); j++) {
                    double e = 0;
                    for (int c = 0; c < a.size(1); c++) {
                        e += Math.max(w.getDouble(t[n], c) / area, 0) * a.getDouble(n, c, i, j);
                    }
                    assertEquals(Math.max(e, 0), layerCam.getDouble(n, i, j), 1e-6);
                }
            }
        }
    }
}
