package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link AddReluVertex} computes what DL4J's {@code ElementWiseVertex(Add)} followed by a ReLU
 * {@code ActivationLayer} computes (outputs, score, gradients, parameters after SGD steps, with two and three
 * inputs), passes DL4J's gradient check and survives serialisation.
 */
class AddReluVertexTest {
    private static ComputationGraph graph(boolean fused, int inputs, DataType type) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(type)
                .updater(type == DataType.DOUBLE ? new NoOp() : new Sgd(0.1))
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(5, 4, 3, CNN2DFormat.NHWC));
        String[] branches = new String[inputs];
        for (int i = 0; i < inputs; i++) {
            branches[i] = "conv" + i;
            g.addLayer(
                    branches[i],
                    new ConvolutionLayer.Builder(3, 3)
                            .nOut(4)
                            .convolutionMode(ConvolutionMode.Same)
                            .dataFormat(CNN2DFormat.NHWC)
                            .activation(Activation.IDENTITY)
                            .build(),
                    "in");
        }
        if (fused) {
            g.addVertex("relu", new AddReluVertex(), branches);
        } else {
            g.addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), branches);
            g.addLayer(
                    "relu",
                    new ActivationLayer.Builder().activation(Activation.RELU).build(),
                    "add");
        }
        // a consumer after the vertex, so that its gradient is not the loss's alone
        g.addLayer(
                "conv_after",
                new ConvolutionLayer.Builder(3, 3)
                        .nOut(4)
                        .convolutionMode(ConvolutionMode.Same)
                        .dataFormat(CNN2DFormat.NHWC)
                        .activation(Activation.IDENTITY)
                        .build(),
                "relu");
        g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv_after");
        g.addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build(),
                "pool");
        g.setOutputs("out");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    private static INDArray labels(int n, DataType type) {
        INDArray y = Nd4j.zeros(type, n, 3);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        return y;
    }

    private static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tol * scale, what + ": max difference " + diff + " (scale " + scale + ")");
    }

    @Test
    void matchesElementWiseAddAndReluLayer() {
        for (int inputs : new int[] {2, 3}) {
            ComputationGraph ref = graph(false, inputs, DataType.FLOAT);
            ComputationGraph fused = graph(true, inputs, DataType.FLOAT);
            fused.setParams(ref.params().dup());
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.randn(DataType.FLOAT, 6, 5, 4, 3);
            INDArray y = labels(6, DataType.FLOAT);
            assertClose(
                    ref.feedForward(x, true).get("relu"),
                    fused.feedForward(x, true).get("relu"),
                    1e-6,
                    inputs + " inputs: training-mode activations");
            assertClose(ref.outputSingle(x), fused.outputSingle(x), 1e-6, inputs + " inputs: inference output");
            ref.setInputs(x);
            ref.setLabels(y);
            fused.setInputs(x);
            fused.setLabels(y);
            ref.computeGradientAndScore();
            fused.computeGradientAndScore();
            assertEquals(ref.score(), fused.score(), 1e-6 * Math.abs(ref.score()), inputs + " inputs: score");
            assertClose(ref.gradient().gradient(), fused.gradient().gradient(), 1e-5, inputs + " inputs: gradients");
            for (int step = 0; step < 3; step++) {
                ref.fit(new INDArray[] {x}, new INDArray[] {y});
                fused.fit(new INDArray[] {x}, new INDArray[] {y});
            }
            assertClose(ref.params(), fused.params(), 1e-5, inputs + " inputs: parameters after 3 SGD steps");
        }
    }

    @Test
    void passesGradientCheckInDoublePrecision() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph net = graph(true, 2, DataType.DOUBLE);
            Nd4j.getRandom().setSeed(4);
            INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 5, 4, 3);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(new INDArray[] {x})
                    .labels(new INDArray[] {labels(3, DataType.DOUBLE)})
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8));
            assertTrue(ok, "gradient check of a graph with AddReluVertex");
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @Test
    void survivesSerialisation() throws IOException {
        ComputationGraph net = graph(true, 2, DataType.FLOAT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        ComputationGraph back =
                ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertTrue(back.getConfiguration().getVertices().get("relu") instanceof AddReluVertex);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 5, 4, 3);
        assertClose(net.outputSingle(x), back.outputSingle(x), 1e-7, "output after a round trip");
    }

    @Test
    void rejectsOneInputAndMismatchedShapes() {
        AddReluVertex v = new AddReluVertex();
        assertThrows(InvalidInputTypeException.class, () -> v.getOutputType(0, InputType.convolutional(4, 4, 2)));
        InvalidInputTypeException e = assertThrows(
                InvalidInputTypeException.class,
                () -> v.getOutputType(0, InputType.convolutional(4, 4, 2), InputType.convolutional(4, 4, 3)));
        assertTrue(e.getMessage().contains("one shape"), e.getMessage());
    }
}
