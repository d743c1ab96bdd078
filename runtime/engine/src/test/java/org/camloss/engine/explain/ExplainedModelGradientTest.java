package org.camloss.engine.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.cam.LinearHead;
import org.camloss.api.layers.FastConvolution;
import org.camloss.api.layers.Layers;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Gradients of a target logit with respect to a layer's activations, in inference mode, for a camloss model (batch
 * norm with non-trivial running statistics, a residual block whose skip branch starts before the layer) and for a
 * plain DL4J graph (DL4J's own batch norm and dropout, global average pooling, a softmax output layer): against
 * central differences in double precision, and the closed form at the pooled map against DL4J's backpropagation
 * through the pooling layer.
 */
class ExplainedModelGradientTest {
    private static final InputShape SHAPE = new InputShape(2, 6, 5);
    private DataType before;

    @BeforeEach
    void doublePrecision() {
        before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restore() {
        Nd4j.setDefaultDataTypes(before, before);
    }

    /** stem c1 (conv, BN, ReLU), then a residual block c2 (conv, BN) + c1, ReLU: the feature map 'out'. */
    private static Backbone residual() {
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(4, 1, List.of(new BackboneInfo.Stage("out", 4, 1)));
            }

            @Override
            public String build(BackboneContext ctx) {
                Layers l = new Layers(ctx);
                String c1 = l.convBnAct("c1", ctx.input(), 2, 4, 3, 1, Activation.RELU);
                String c2 = l.convBnAct("c2", c1, 4, 4, 3, 1, Activation.IDENTITY);
                return l.addRelu("out", c2, c1);
            }
        };
    }

    private static CamModel camModel() {
        CamModel m = new ModelAssembler()
                .seed(3)
                .dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1))
                .assemble(residual(), SHAPE, 3, Objective.of(ctx -> List.of(CrossEntropy.term(ctx))));
        randomiseBatchNorm(m.graph(), 5);
        return m;
    }

    /** Running statistics, scale and shift away from their initial values, so inference differs from identity. */
    private static void randomiseBatchNorm(ComputationGraph g, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (Layer layer : g.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                for (String p : layer.paramTable().keySet()) {
                    INDArray v = layer.getParam(p);
                    INDArray r = Nd4j.rand(DataType.DOUBLE, v.shape()).muli(0.8);
                    switch (p) {
                        case "gamma" -> v.assign(r.addi(0.6));
                        case "var" -> v.assign(r.addi(0.3));
                        case "log10stdev" -> v.assign(r.subi(0.4));
                        default -> v.assign(r.subi(0.4));
                    }
                }
            }
        }
    }

    private static INDArray images(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, n, SHAPE.height(), SHAPE.width(), SHAPE.channels());
    }

    @Test
    void camModelListsItsFourDimensionalLayersAndHasALinearHeadAtTheFeatureMap() {
        ExplainedModel m = ExplainedModel.of(camModel());
        assertEquals(List.of("c1_conv", "c1_bn", "c2_conv", "c2_bn", "out"), m.layers());
        assertEquals("out", m.defaultLayer());
        assertTrue(m.linearHead("out").isPresent());
        assertFalse(m.linearHead("c2_conv").isPresent());
        assertArrayEquals(new long[] {4, 6, 5}, m.mapShape("c2_bn"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.checkLayer("conv9"));
        assertEquals(
                "'conv9' is not a layer of the model; valid layers: c1_conv, c1_bn, c2_conv, c2_bn, out",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.checkLayer("head"));
        assertEquals(
                "'head' is not a layer with a 4-D output that the logits depend on; valid layers: c1_conv, c1_bn, "
                        + "c2_conv, c2_bn, out",
                e.getMessage());
    }

    @Test
    void forwardGivesTheModelsLogits() {
        CamModel cm = camModel();
        ExplainedModel m = ExplainedModel.of(cm);
        INDArray x = images(3, 1);
        INDArray expected = cm.forward(x).logits();
        assertTrue(expected.equalsWithEps(m.logits(x), 1e-12));
        assertTrue(expected.equalsWithEps(m.forward(x, "c1_bn").logits(), 1e-12));
    }

    @Test
    void gradientAtTheFeatureMapIsTheClassWeightOverTheMapArea() {
        CamModel cm = camModel();
        ExplainedModel m = ExplainedModel.of(cm);
        int[] targets = {2, 0, 1};
        INDArray g = m.gradients(images(3, 2), "out", targets);
        INDArray w = cm.classifierWeight();
        for (int n = 0; n < 3; n++) {
            for (int c = 0; c < 4; c++) {
                double expected = w.getDouble(targets[n], c) / 30.0;
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < 5; j++) {
                        assertEquals(expected, g.getDouble(n, c, i, j), 1e-15);
                    }
                }
            }
        }
    }

    @Test
    void gradientsInsideTheBackboneMatchCentralDifferences() {
        CamModel cm = camModel();
        ExplainedModel m = ExplainedModel.of(cm);
        INDArray x = images(2, 3);
        int[] targets = {1, 2};
        for (String layer : List.of("c2_conv", "c1_bn", "c1_conv", "c2_bn")) {
            checkAgainstDifferences(m, x, layer, targets);
        }
    }

    /** The tail's forward pass reproduces the model's inference activations, and its gradient the differences of it. */
    private static void checkAgainstDifferences(ExplainedModel m, INDArray x, String layer, int[] targets) {
        LayerTail tail = LayerTail.build(m.graph(), layer, m.pooled());
        INDArray[] acts = m.outputs(x, tail.inputs());
        INDArray pooled = m.outputs(x, List.of(m.pooled()))[0];
        assertTrue(
                pooled.equalsWithEps(tail.output(acts), 1e-12), layer + ": the tail's output differs from the model's");
        INDArray grad = m.gradients(x, layer, targets); // NCHW
        INDArray a = acts[0];
        double h = 1e-6;
        double worst = 0;
        for (long k = 0; k < a.length(); k += 5) {
            double v = a.getDouble(k);
            a.putScalar(k, v + h);
            double up = score(m, tail.output(acts), targets);
            a.putScalar(k, v - h);
            double down = score(m, tail.output(acts), targets);
            a.putScalar(k, v);
            double numeric = (up - down) / (2 * h);
            long[] idx = org.nd4j.linalg.api.shape.Shape.ind2subC(a, k);
            double analytic = m.nchwMaps()
                    ? grad.getDouble(idx[0], idx[1], idx[2], idx[3])
                    : grad.getDouble(idx[0], idx[3], idx[1], idx[2]);
            worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric)));
        }
        assertTrue(worst < 1e-6, layer + ": relative error " + worst);
    }

    private static double score(ExplainedModel m, INDArray pooled, int[] targets) {
        INDArray z = m.logitsFrom(pooled);
        double s = 0;
        for (int n = 0; n < targets.length; n++) {
            s += z.getDouble(n, targets[n]);
        }
        return s;
    }

    /** conv (4, ReLU) - DL4J batch norm - ReLU - dropout - GAP - softmax output layer, NCHW. */
    private static ComputationGraph plainGraph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(4)
                .dataType(DataType.DOUBLE)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(
                        InputType.convolutional(SHAPE.height(), SHAPE.width(), SHAPE.channels(), CNN2DFormat.NCHW))
                .addLayer(
                        "conv",
                        new FastConvolution(new ConvolutionLayer.Builder(3, 3)
                                .nOut(4)
                                .convolutionMode(ConvolutionMode.Same)
                                .activation(Activation.TANH)
                                .dataFormat(CNN2DFormat.NCHW)),
                        "in")
                .addLayer(
                        "bn",
                        new BatchNormalization.Builder()
                                .nOut(4)
                                .dataFormat(CNN2DFormat.NCHW)
                                .build(),
                        "conv")
                .addLayer("relu", new ActivationLayer(Activation.RELU), "bn")
                .addLayer("drop", new DropoutLayer(0.5), "relu")
                .addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), "drop")
                .addLayer(
                        "fc",
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nIn(4)
                                .nOut(3)
                                .activation(Activation.SOFTMAX)
                                .build(),
                        "gap")
                .setOutputs("fc")
                .build());
        g.init();
        randomiseBatchNorm(g, 6);
        return g;
    }

    @Test
    void plainGraphFindsItsPooledMapAndGivesPreSoftmaxLogits() {
        ComputationGraph g = plainGraph();
        ExplainedModel m = ExplainedModel.ofGraph(g, SHAPE, "fc", null, true);
        assertEquals("drop", m.defaultLayer());
        assertEquals(List.of("conv", "bn", "relu", "drop"), m.layers());
        INDArray x = images(3, 4);
        INDArray probs = g.outputSingle(x.permute(0, 3, 1, 2).dup());
        INDArray logits = m.logits(x);
        INDArray soft = org.nd4j.linalg.ops.transforms.Transforms.softmax(logits, true);
        assertTrue(probs.equalsWithEps(soft, 1e-12));
        LinearHead head = m.linearHead("drop").orElseThrow();
        assertTrue(head.weight().equalsWithEps(g.getLayer("fc").getParam("W").transpose(), 0));
        assertFalse(m.linearHead("relu").isPresent());
        assertEquals(
                "its global average pooling + linear head ('fc') classifies 'drop', not 'relu'",
                m.noLinearHeadReason("relu"));
    }

    /** DL4J's activation layer works in place in inference mode: read with a later vertex, 'bn' comes back ReLU'd. */
    @Test
    void activationsBeforeAnActivationLayerAreReadAsComputed() {
        ComputationGraph g = plainGraph();
        ExplainedModel m = ExplainedModel.ofGraph(g, SHAPE, "fc", null, true);
        INDArray x = images(2, 7);
        INDArray bn = m.forward(x, "bn").activations();
        INDArray relu = m.forward(x, "relu").activations();
        assertTrue(bn.minNumber().doubleValue() < 0, "batch norm output has no negative value");
        assertTrue(org.nd4j.linalg.ops.transforms.Transforms.relu(bn, true).equalsWithEps(relu, 1e-12));
        INDArray naive = g.output(
                        List.of("bn", "gap"),
                        false,
                        new INDArray[] {x.permute(0, 3, 1, 2).dup()},
                        null)[0];
        assertTrue(naive.minNumber().doubleValue() >= 0, "DL4J no longer overwrites; CopyingActivation may go");
    }

    @Test
    void plainGraphGradientsThroughPoolingMatchTheClosedFormAndDifferences() {
        ComputationGraph g = plainGraph();
        ExplainedModel m = ExplainedModel.ofGraph(g, SHAPE, "fc", null, true);
        INDArray x = images(2, 5);
        int[] targets = {0, 2};
        INDArray grad = m.gradients(x, "drop", targets);
        INDArray w = g.getLayer("fc").getParam("W");
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 4; c++) {
                assertEquals(w.getDouble(c, targets[n]) / 30.0, grad.getDouble(n, c, 3, 2), 1e-14);
            }
        }
        for (String layer : List.of("conv", "bn", "relu")) {
            checkAgainstDifferences(m, x, layer, targets);
        }
    }

    @Test
    void plainGraphRefusesNamesItDoesNotHave() {
        ComputationGraph g = plainGraph();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ExplainedModel.ofGraph(g, SHAPE, "logits", null, true));
        assertEquals("no logits layer 'logits'; the graph's vertices: [bn, conv, drop, fc, gap, relu]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExplainedModel.ofGraph(g, SHAPE, "bn", null, true));
        assertEquals(
                "'bn' is not a dense or output layer with weights W and bias b; the graph's vertices: [bn, conv, drop, "
                        + "fc, gap, relu]",
                e.getMessage());
    }
}
