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

    /**
     * Those whose last pass ran with their batch norm folded in ({@link FoldedInference}), by what ran it (the plan's
     * description, e.g. ending in "+ relu post-op").
     */
    public static java.util.List<String> folded(ComputationGraph g) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (Layer l : g.getLayers()) {
            if (l instanceof FastConvolutionLayer f && f.foldedDescription() != null) {
                out.add(f.foldedDescription());
            }
        }
        return out;
    }

    /** The graph's batch norms whose last pass passed their folded convolution's output on untouched. */
    public static long passedThrough(ComputationGraph g) {
        long n = 0;
        for (Layer l : g.getLayers()) {
            n += l instanceof FastBatchNormLayer b && b.passedThrough() ? 1 : 0;
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
