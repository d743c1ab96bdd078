package org.camloss.engine.explain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camloss.api.layers.FastBatchNorm;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The part of a trained graph between a target layer L and a later vertex T, as a graph of its own that DL4J can
 * backpropagate through in inference mode: the gradient of any linear function of T's activations with respect to
 * L's activations, which is what Grad-CAM and its relatives need at a layer inside the backbone.
 *
 * <p>The tail holds every vertex on a path from L to T (T included, L excluded). Its inputs are L and every vertex
 * outside the tail that feeds it (a residual branch that starts before L: its activations are constants with
 * respect to L, exactly as a gradient hook on L in PyTorch sees them). Its layers are copies of the graph's, with
 * the same parameters, changed only where training mode would differ from inference: batch norm becomes {@link
 * InferenceBatchNorm} (running statistics, and a backward pass for them), dropout and weight noise are removed, and
 * DL4J's frozen-layer wrappers are unwrapped (a {@code FrozenLayer} passes no gradient back). The tail runs without
 * workspaces, so its arrays stay valid after the call.
 */
final class LayerTail {
    /** Prefix of the network input that feeds the target layer's identity vertex. */
    private static final String INPUT_PREFIX = "explain-input:";

    private final TailGraph tail;
    private final String layer;
    private final List<String> inputs;

    private LayerTail(TailGraph tail, String layer, List<String> inputs) {
        this.tail = tail;
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
    }

    /**
     * Builds the tail of {@code graph} from {@code layer} to {@code target}.
     *
     * @throws IllegalArgumentException when {@code target} does not depend on {@code layer}
     */
    static LayerTail build(ComputationGraph graph, String layer, String target) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, List<String>> vertexInputs = conf.getVertexInputs();
        Set<String> ancestors = ancestorsOrSelf(vertexInputs, target);
        if (!ancestors.contains(layer) || layer.equals(target)) {
            throw new IllegalArgumentException("'" + target + "' does not depend on '" + layer + "'");
        }
        Set<String> descendants = descendants(vertexInputs, layer);
        List<String> order = graph.getConfiguration().getTopologicalOrderStr() != null
                ? graph.getConfiguration().getTopologicalOrderStr()
                : new ArrayList<>(conf.getVertices().keySet());
        Set<String> part = new LinkedHashSet<>();
        for (String v : order) {
            if (descendants.contains(v) && ancestors.contains(v)) {
                part.add(v);
            }
        }
        for (String v : conf.getVertices().keySet()) {
            if (descendants.contains(v) && ancestors.contains(v)) {
                part.add(v);
            }
        }
        List<String> inputs = new ArrayList<>();
        inputs.add(layer);
        for (String v : part) {
            for (String in : vertexInputs.get(v)) {
                if (!part.contains(in) && !inputs.contains(in)) {
                    inputs.add(in);
                }
            }
        }
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> tailInputs = new LinkedHashMap<>();
        for (String v : part) {
            GraphVertex gv = conf.getVertices().get(v);
            if (gv instanceof LayerVertex lv) {
                lv.setOutputVertex(false);
                NeuralNetConfiguration nnc = lv.getLayerConf();
                nnc.setLayer(forInference(nnc.getLayer()));
            }
            vertices.put(v, gv);
            tailInputs.put(v, new ArrayList<>(vertexInputs.get(v)));
        }
        // DL4J keeps no gradient for network inputs: the layer's activations enter through an identity vertex named
        // like the layer, whose epsilon after backpropagation is the gradient with respect to them
        vertices.put(layer, new org.deeplearning4j.nn.conf.graph.ScaleVertex(1.0));
        tailInputs.put(layer, new ArrayList<>(List.of(INPUT_PREFIX + layer)));
        List<String> networkInputs = new ArrayList<>();
        for (String in : inputs) {
            networkInputs.add(in.equals(layer) ? INPUT_PREFIX + layer : in);
        }
        conf.setVertices(vertices);
        conf.setVertexInputs(tailInputs);
        conf.setNetworkInputs(networkInputs);
        conf.setNetworkOutputs(new ArrayList<>(List.of(target)));
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        conf.setTrainingWorkspaceMode(WorkspaceMode.NONE);
        conf.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        conf.setValidateOutputLayerConfig(false);
        TailGraph tail = new TailGraph(conf);
        tail.init();
        for (String v : part) {
            Layer copy = tail.getLayer(v);
            if (copy == null || copy.numParams() == 0) {
                continue;
            }
            INDArray source = graph.getLayer(v).params();
            if (source.length() != copy.numParams()) {
                throw new IllegalStateException("layer '" + v + "': " + source.length()
                        + " parameters in the model but " + copy.numParams() + " in its inference copy");
            }
            copy.setParams(source.reshape(copy.params().shape()));
        }
        return new LayerTail(tail, layer, inputs);
    }

    /** The layer conf as it computes in inference mode, ready to backpropagate. */
    private static org.deeplearning4j.nn.conf.layers.Layer forInference(org.deeplearning4j.nn.conf.layers.Layer l) {
        while (true) {
            if (l instanceof FrozenLayer f) {
                l = f.getLayer();
            } else if (l instanceof FrozenLayerWithBackprop f) {
                l = f.getUnderlying();
            } else {
                break;
            }
        }
        l = l.clone();
        if (l instanceof BatchNormalization bn && !(l instanceof InferenceBatchNorm)) {
            // camloss's FastBatchNorm applies its activation; DL4J M2.1's batch norm ignores it
            return InferenceBatchNorm.of(bn, bn instanceof FastBatchNorm);
        }
        l.setIDropout(null);
        if (l instanceof BaseLayer b) {
            b.setWeightNoise(null);
        }
        return l;
    }

    /** The tail's output (the later vertex's activations) for {@code inputActivations}, inference mode. */
    INDArray output(INDArray[] inputActivations) {
        return tail.output(false, copies(inputActivations))[0].dup();
    }

    /** The tail's inputs: the target layer, then the vertices outside the tail that feed it. */
    List<String> inputs() {
        return inputs;
    }

    /**
     * ∂(Σ epsilon ⊙ T) / ∂L, in the graph's own layout of L.
     *
     * @param inputActivations the activations of {@link #inputs()}, in that order, in the graph's layout
     * @param epsilon          ∂score/∂T, the shape of T's activations
     */
    INDArray gradient(INDArray[] inputActivations, INDArray epsilon) {
        tail.feedForward(copies(inputActivations), true, false);
        tail.backpropKeepingEpsilons(epsilon);
        INDArray g = tail.getVertex(layer).getEpsilon();
        if (g == null) {
            throw new IllegalStateException("no gradient reached '" + layer + "'");
        }
        INDArray out = g.dup();
        tail.clearLayersStates();
        return out;
    }

    /** Copies: DL4J's activation layers work in place on their input in inference mode. */
    private static INDArray[] copies(INDArray[] arrays) {
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i].dup();
        }
        return out;
    }

    /**
     * A graph whose backpropagation with external errors keeps every vertex's epsilon: DL4J M2.1's public {@code
     * backpropGradient} clears them (and the layers' inputs) before it returns.
     */
    private static final class TailGraph extends ComputationGraph {
        TailGraph(ComputationGraphConfiguration conf) {
            super(conf);
        }

        void backpropKeepingEpsilons(INDArray epsilon) {
            calcBackpropGradients(false, false, epsilon);
        }
    }

    private static Set<String> ancestorsOrSelf(Map<String, List<String>> inputs, String v) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(v));
        while (!todo.isEmpty()) {
            String x = todo.pop();
            if (seen.add(x)) {
                todo.addAll(inputs.getOrDefault(x, List.of()));
            }
        }
        return seen;
    }

    private static Set<String> descendants(Map<String, List<String>> inputs, String v) {
        Set<String> seen = new HashSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Map.Entry<String, List<String>> e : inputs.entrySet()) {
                if (!seen.contains(e.getKey())
                        && e.getValue().stream().anyMatch(in -> in.equals(v) || seen.contains(in))) {
                    seen.add(e.getKey());
                    grew = true;
                }
            }
        }
        return seen;
    }
}
