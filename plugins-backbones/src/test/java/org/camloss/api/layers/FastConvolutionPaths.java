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

    /**
     * Median ms of folding every batch norm of the graph into its convolution once (the per-pass arithmetic of
     * {@link FoldedInference}: {@code FastConvolutionLayer.fold} of each pair), over {@code reps} repetitions.
     */
    public static double foldMillis(ComputationGraph g, int reps) {
        double[] t = new double[reps];
        try (FoldedInference f = FoldedInference.open(g)) {
            java.util.List<FastConvolutionLayer> convs = new java.util.ArrayList<>();
            java.util.List<org.nd4j.linalg.api.ndarray.INDArray[]> outs = new java.util.ArrayList<>();
            for (Layer l : g.getLayers()) {
                if (l instanceof FastConvolutionLayer c && c.foldTarget() != null) {
                    org.nd4j.linalg.api.ndarray.INDArray w = c.getParam("W");
                    convs.add(c);
                    outs.add(new org.nd4j.linalg.api.ndarray.INDArray[] {
                        org.nd4j.linalg.factory.Nd4j.create(w.dataType(), w.shape()),
                        org.nd4j.linalg.factory.Nd4j.create(w.dataType(), w.size(0))
                    });
                }
            }
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < convs.size(); i++) {
                    FastConvolutionLayer c = convs.get(i);
                    c.fold(
                            c.foldTarget(),
                            c.getParam("W"),
                            c.hasBias() ? c.getParam("b") : null,
                            outs.get(i)[0],
                            outs.get(i)[1]);
                }
                t[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        java.util.Arrays.sort(t);
        return t[reps / 2];
    }

    /**
     * The graph's {@link AddReluVertex} vertices whose last pass passed on a convolution's output with the add and
     * ReLU already fused in ({@link FoldedInference}).
     */
    public static long addsPassedThrough(ComputationGraph g) {
        long n = 0;
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : g.getVertices()) {
            n += v instanceof AddReluVertex.Impl a && a.passedThrough() ? 1 : 0;
        }
        return n;
    }

    /** How many output slots the graph's folded convolutions share ({@link OutputSlots}), 0 before any scope. */
    public static int outputSlots(ComputationGraph g) {
        for (Layer l : g.getLayers()) {
            if (l instanceof FastConvolutionLayer f && f.outputSlots() != null) {
                return f.outputSlots().size();
            }
        }
        return 0;
    }

    /** Floats held by the graph's output slots. */
    public static long outputSlotElements(ComputationGraph g) {
        for (Layer l : g.getLayers()) {
            if (l instanceof FastConvolutionLayer f && f.outputSlots() != null) {
                return f.outputSlots().elements();
            }
        }
        return 0;
    }

    /** What ran {@code l}'s (a {@link FastConvolutionLayer}'s) last pass folded, or {@code null}. */
    public static String foldedDescription(Layer l) {
        return ((FastConvolutionLayer) l).foldedDescription();
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
