package org.camloss.api.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** Which path a graph's {@link FastConvolutionLayer}s took in their last forward pass (for tests in other packages). */
public final class FastConvolutionPaths {
    private FastConvolutionPaths() {}

    /** The graph's {@link FastConvolutionLayer}s. */
    public static long convolutions(ComputationGraph g) {
        long n = 0;
        for (Layer l : g.getLayers()) {
            n += l instanceof FastConvolutionLayer ? 1 : 0;
        }
        return n;
    }

    /** Those whose last forward pass ran on a {@link ConvolutionForward} plan. */
    public static long nativeForward(ComputationGraph g) {
        long n = 0;
        for (Layer l : g.getLayers()) {
            n += l instanceof FastConvolutionLayer f && f.nativeForwardDescription() != null ? 1 : 0;
        }
        return n;
    }
}
