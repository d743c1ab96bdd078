package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * A residual graph of camloss's layers: a stem; an identity block (its shortcut, the stem, also feeds the block's
     * first convolution, an ancestor of the block's last batch norm); a projection block; and, with {@code unsafe},
     * a block whose shortcut also feeds a convolution that is <em>not</em> an ancestor of the branch's batch norm
     * (a side branch summed in later), so that DL4J could add that branch's gradient into a shared array before the
     * batch norm has read it.
     */
    private static ComputationGraph residualGraph(boolean unsafe) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(11)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 3, CNN2DFormat.NHWC));
        Layers net = new Layers(g, CNN2DFormat.NHWC);
        String x = net.convBnAct("stem", "in", 3, 4, 3, 1, Activation.RELU);
        String b1 = net.convBnAct("b1a", x, 4, 4, 3, 1, Activation.RELU);
        b1 = net.convBnAct("b1b", b1, 4, 4, 3, 1, Activation.IDENTITY);
        x = net.addRelu("b1", b1, x);
        String b2 = net.convBnAct("b2a", x, 4, 6, 3, 2, Activation.RELU);
        b2 = net.convBnAct("b2b", b2, 6, 6, 3, 1, Activation.IDENTITY);
        String s2 = net.convBnAct("b2s", x, 4, 6, 1, 2, Activation.IDENTITY);
        x = net.addRelu("b2", b2, s2);
        if (unsafe) {
            // declared in this order, DL4J's backward pass reaches "u", then "side_conv" (which adds its gradient
            // into the array "u" gave "u0_bn" first), then "u1_bn": a shared array would reach "u1_bn" altered
            String right = net.convBnAct("u1", "in", 3, 6, 3, 2, Activation.IDENTITY);
            String left = net.convBnAct("u0", "in", 3, 6, 3, 2, Activation.IDENTITY);
            String side = net.convBnAct("side", left, 6, 6, 3, 1, Activation.IDENTITY);
            String u = net.addRelu("u", right, left); // left also feeds "side", which is no ancestor of "u1_bn"
            x = net.addRelu("u2", net.addRelu("u3", u, side), x);
        }
        g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        g.addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(6)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build(),
                "pool");
        g.setOutputs("out");
        ComputationGraph net2 = new ComputationGraph(g.build());
        net2.init();
        return net2;
    }

    private static AddReluVertex.Impl vertex(ComputationGraph g, String name) {
        return (AddReluVertex.Impl) g.getVertex(name);
    }

    private static INDArray gradients(ComputationGraph g, INDArray x, INDArray y, boolean share) {
        String before = System.getProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY);
        System.setProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY, Boolean.toString(share));
        try {
            g.setInputs(x);
            g.setLabels(y);
            g.computeGradientAndScore();
            return g.gradient().gradient().dup();
        } finally {
            if (before == null) {
                System.clearProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY);
            } else {
                System.setProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY, before);
            }
        }
    }

    @Test
    void sharesTheGradientArrayOnlyWhereNoInPlaceSumCanReachItEarly() {
        for (boolean unsafe : new boolean[] {false, true}) {
            ComputationGraph g = residualGraph(unsafe);
            Nd4j.getRandom().setSeed(6);
            INDArray x = Nd4j.randn(DataType.FLOAT, 5, 8, 8, 3);
            INDArray y = labels(5, DataType.FLOAT);
            INDArray copied = gradients(g, x, y, false);
            for (String v : unsafe ? new String[] {"b1", "b2", "u", "u2", "u3"} : new String[] {"b1", "b2"}) {
                assertFalse(vertex(g, v).lastShared(), v + " with sharing switched off");
            }
            INDArray shared = gradients(g, x, y, true);
            assertTrue(vertex(g, "b1").lastShared(), "identity block: its shortcut's other consumer is upstream");
            assertTrue(vertex(g, "b2").lastShared(), "projection block: both inputs feed only the vertex");
            if (unsafe) {
                assertFalse(vertex(g, "u").lastShared(), "\"left\" also feeds \"side\", no ancestor of \"u1_bn\"");
                assertTrue(
                        vertex(g, "u3").lastShared(), "u3: an AddReluVertex and a batch norm, each with one consumer");
                assertTrue(vertex(g, "u2").lastShared(), "u2: both inputs feed only the vertex");
            }
            // the same arithmetic either way: bit for bit
            assertEquals(
                    0.0,
                    copied.sub(shared).amaxNumber().doubleValue(),
                    (unsafe ? "with" : "without") + " the unsafe block: gradients shared vs copied");
        }
    }

    @Test
    void copiesForInputsWhoseBackwardPassIsNotKnownToOnlyReadIt() {
        // DL4J's own convolutions feed the vertex: their backward pass is not this vertex's to vouch for
        ComputationGraph g = graph(true, 2, DataType.FLOAT);
        g.setInputs(Nd4j.randn(DataType.FLOAT, 2, 5, 4, 3));
        g.setLabels(labels(2, DataType.FLOAT));
        g.computeGradientAndScore();
        assertFalse(vertex(g, "relu").lastShared());
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
