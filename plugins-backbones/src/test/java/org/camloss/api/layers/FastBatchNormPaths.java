package org.camloss.api.layers;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** Which path a graph's {@link FastBatchNormLayer}s took in their last training passes (for tests in other packages). */
public final class FastBatchNormPaths {
    private FastBatchNormPaths() {}

    /** What ran each batch norm's last training forward and backward pass ("dl4j" or a plan's description). */
    public static List<String> training(ComputationGraph g) {
        List<String> out = new ArrayList<>();
        for (Layer l : g.getLayers()) {
            if (l instanceof FastBatchNormLayer b) {
                out.add(b.trainingForwardPath() + " | " + b.trainingBackwardPath());
            }
        }
        return out;
    }
}
