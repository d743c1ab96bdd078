package org.camloss.engine.model;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.layers.FastConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;

/**
 * Turns off the gradient with respect to the image in a graph that is trained: a {@link FastConvolutionLayer} whose
 * input is a network input then computes only its weight and bias gradients
 * ({@link FastConvolutionLayer#setInputGradient}). Training never reads a network input's gradient (DL4J M2.1's public
 * {@code ComputationGraph.backpropGradient} does not return it either); PyTorch skips it the same way, as an image
 * tensor does not require a gradient. Measured on ResNet-8's 1→16 stem at 28×28, batch 128: oneDNN's backward data pass
 * 2.2 ms per step of about 60 (docs/performance.md, Change 22).
 *
 * <p>Only where it is safe: the network input feeds exactly one vertex (DL4J adds a second consumer's gradient into
 * the first's in place), that vertex is the convolution's own layer vertex with no input pre-processor (which would
 * transform the gradient), and the layer has no input dropout (checked by the layer at each pass). Graphs that read
 * the gradient of an input — a Grad-CAM tail ({@code org.camloss.engine.explain.LayerTail}) — are built apart and
 * keep it.
 */
public final class InputGradients {
    private InputGradients() {}

    /**
     * Skips the input gradient of every convolution fed only by a network input of {@code graph}.
     *
     * @param graph an initialised graph that will be trained
     * @return the names of the layers that now skip it, in the order of the network inputs
     */
    public static List<String> skipUnused(ComputationGraph graph) {
        List<String> skipped = new ArrayList<>();
        for (String input : graph.getConfiguration().getNetworkInputs()) {
            VertexIndices[] consumers = graph.getVertex(input).getOutputVertices();
            if (consumers == null || consumers.length != 1) {
                continue;
            }
            GraphVertex v = graph.getVertices()[consumers[0].getVertexIndex()];
            if (v instanceof LayerVertex lv
                    && lv.getLayerPreProcessor() == null
                    && lv.getLayer() instanceof FastConvolutionLayer conv) {
                conv.setInputGradient(false);
                skipped.add(v.getVertexName());
            }
        }
        return skipped;
    }
}
