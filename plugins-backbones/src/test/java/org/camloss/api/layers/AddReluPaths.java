package org.camloss.api.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;

/** Which of a graph's {@link AddReluVertex}es handed their inputs one gradient array in the last backward pass. */
public final class AddReluPaths {
    private AddReluPaths() {}

    /** Vertex name to whether its last backward pass shared the gradient array, in the graph's vertex order. */
    public static Map<String, Boolean> shared(ComputationGraph g) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (GraphVertex v : g.getVertices()) {
            if (v instanceof AddReluVertex.Impl a) {
                out.put(v.getVertexName(), a.lastShared());
            }
        }
        return out;
    }
}
