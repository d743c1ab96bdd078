package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.TestNets;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.InputGradients;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
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
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The image's gradient skipped in trained graphs ({@link InputGradients}, {@link FastConvolutionLayer#setInputGradient}):
 * the stem of an assembled model computes only its weight gradients, training is bit for bit what it is with the input
 * gradient computed, and the cases where DL4J would misuse a missing gradient keep it.
 */
class InputGradientsTest {

    private static CamModel assembled() {
        return new ModelAssembler()
                .seed(3)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .assemble(
                        TestNets.convBnAddRelu(),
                        TestNets.SHAPE,
                        TestNets.CLASSES,
                        Objective.of(ctx -> List.of(CrossEntropy.term(ctx))));
    }

    private static FastConvolutionLayer layer(ComputationGraph g, String name) {
        return (FastConvolutionLayer) g.getLayer(name);
    }

    @Test
    void anAssembledModelsStemComputesOnlyItsWeightGradientsAndTrainsAlike() {
        CamModel skipping = assembled();
        CamModel computing = assembled();
        List<String> stems = InputGradients.skipUnused(computing.graph());
        assertEquals(1, stems.size(), "one convolution on the image: " + stems);
        String stem = stems.get(0);
        assertFalse(
                layer(skipping.graph(), stem).inputGradient(), "the assembler turned the stem's input gradient off");
        layer(computing.graph(), stem).setInputGradient(true);
        for (String v : computing.graph().getConfiguration().getVertices().keySet()) {
            if (!v.equals(stem) && computing.graph().getLayer(v) instanceof FastConvolutionLayer c) {
                assertTrue(c.inputGradient(), v + " is not on the image");
            }
        }
        assertEquals(skipping.graph().params(), computing.graph().params(), "same initial parameters");
        INDArray[] y = {TestNets.oneHot(8, DataType.FLOAT)};
        for (int step = 0; step < 3; step++) {
            INDArray[] x = {TestNets.images(8, DataType.FLOAT, 20 + step)};
            skipping.graph().fit(x, y);
            computing.graph().fit(x, y);
            assertTrue(layer(skipping.graph(), stem).lastSkippedInputGradient(), "step " + step + ": skipped");
            assertFalse(layer(computing.graph(), stem).lastSkippedInputGradient(), "step " + step + ": computed");
        }
        assertEquals(computing.graph().params(), skipping.graph().params(), "parameters after 3 steps, bit for bit");
    }

    /** input → two convolutions → merged: DL4J adds the second consumer's input gradient into the first's in place. */
    @Test
    void keepsTheGradientOfAnInputWithTwoConsumers() {
        ComputationGraphConfiguration conf = graph().addLayer("a", new FastConvolution(conv(3)), "in")
                .addLayer("b", new FastConvolution(conv(3)), "in")
                .addVertex("m", new MergeVertex(), "a", "b")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "m")
                .addLayer("out", output(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        assertEquals(List.of(), InputGradients.skipUnused(g));
        assertTrue(layer(g, "a").inputGradient());
        assertTrue(layer(g, "b").inputGradient());
    }

    /** Dropout on the stem's input needs the gradient it would scale: the layer computes it though asked not to. */
    @Test
    void aStemWithInputDropoutStillReturnsItsInputGradient() {
        ComputationGraphConfiguration conf = graph().addLayer("a", new FastConvolution(conv(3).dropOut(0.8)), "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "a")
                .addLayer("out", output(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        assertEquals(List.of("a"), InputGradients.skipUnused(g));
        g.fit(new INDArray[] {TestNets.images(4, DataType.FLOAT, 5)}, new INDArray[] {TestNets.oneHot(4, DataType.FLOAT)
        });
        assertNotNull(layer(g, "a").nativeBackwardDescription(), "ran on oneDNN");
        assertFalse(layer(g, "a").lastSkippedInputGradient(), "computed for the dropout");
    }

    /** A float NHWC graph on 6×6×2 images named {@code in}, trained by SGD. */
    private static ComputationGraphConfiguration.GraphBuilder graph() {
        return new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(6, 6, 2, CNN2DFormat.NHWC));
    }

    private static ConvolutionLayer.Builder conv(int out) {
        return new ConvolutionLayer.Builder(3, 3)
                .nOut(out)
                .convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY)
                .dataFormat(CNN2DFormat.NHWC);
    }

    private static OutputLayer output() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(TestNets.CLASSES)
                .activation(Activation.SOFTMAX)
                .build();
    }
}
