package org.camloss.api.layers;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ReLU of the element-wise sum of its inputs (two or more arrays of one shape): the end of a residual block,
 * which DL4J builds from an {@code ElementWiseVertex} and an {@code ActivationLayer}. Those copy more than
 * they need to: the activation layer duplicates its input in the forward pass and again in the backward pass,
 * and the vertex duplicates the gradient for every input. This vertex writes the sum into its output, applies
 * the ReLU there in place, and in the backward pass masks the incoming gradient once with its own output
 * ({@code relu(s) > 0} exactly where {@code s > 0}) and hands a copy to each further input — or, where the graph
 * allows it, that one array to every input ({@link Impl#sharesGradient}; {@value #SHARED_GRADIENT_PROPERTY}).
 *
 * <p>The vertex keeps a reference to its output (in DL4J's activations workspace, alive until the backward
 * pass) instead of the inputs' sum. DL4J modifies a layer input in place only to apply dropout, so this output
 * must not feed a layer with dropout; camloss's backbones never do that. A bean (no-argument constructor) so
 * that graph configurations with it survive JSON serialisation.
 *
 * <p>Inside a {@link FoldedInference} scope the convolution ending a residual block may compute this vertex's output
 * itself (sum and ReLU post-ops); the vertex then passes that array on, after checking by object identity that its
 * inputs are that output and the shortcut the convolution added ({@link Impl#expectFused}).
 */
public class AddReluVertex extends GraphVertex {

    /**
     * System property: {@code false} makes the backward pass copy the masked gradient for every input after the first
     * (as DL4J's {@code ElementWiseVertex} does) even where {@link Impl#sharesGradient} would hand all inputs one
     * array; unset or anything else lets it share. Read in every backward pass (for A/B timing in one process).
     */
    public static final String SHARED_GRADIENT_PROPERTY = "camloss.residual.sharedGradient";

    /** For JSON deserialisation and the builders. */
    public AddReluVertex() {}

    @Override
    public AddReluVertex clone() {
        return new AddReluVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddReluVertex;
    }

    @Override
    public int hashCode() {
        return AddReluVertex.class.hashCode();
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return Integer.MAX_VALUE;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
            ComputationGraph graph,
            String name,
            int idx,
            INDArray paramsView,
            boolean initializeParams,
            DataType networkDatatype) {
        return new Impl(graph, name, idx, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length < 2) {
            throw new InvalidInputTypeException(
                    "AddReluVertex needs at least two inputs, found " + vertexInputs.length);
        }
        for (InputType t : vertexInputs) {
            if (!Arrays.equals(t.getShape(false), vertexInputs[0].getShape(false))
                    || t.getType() != vertexInputs[0].getType()) {
                throw new InvalidInputTypeException(
                        "AddReluVertex inputs must have one shape, found " + Arrays.toString(vertexInputs));
            }
        }
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, AddReluVertex.class, inputTypes[0], inputTypes[0])
                .standardMemory(0, 0)
                .workingMemory(0, 0, 0, 0)
                .cacheMemory(0, 0)
                .build();
    }

    /** The runtime vertex. */
    static final class Impl extends ParameterFreeVertex {
        /** The output of the last forward pass (activations workspace), for the backward pass's mask. */
        private INDArray output;
        /**
         * Set for one pass by a convolution that computed this vertex's output itself ({@link FoldedInference}: the
         * residual add and ReLU fused into it): the array it returned, on which input edge it arrives, and the array
         * it added as the other input.
         */
        private INDArray fused;

        private INDArray fusedShortcut;
        private int fusedEdge;
        /** Whether the last pass passed a fused convolution's output on (for tests). */
        private boolean passedThrough;
        /** {@link #sharesGradient()}, once decided. */
        private Boolean sharesGradient;
        /** Whether the last backward pass shared its gradient array (for tests). */
        private boolean lastShared;

        Impl(ComputationGraph graph, String name, int index, DataType dataType) {
            super(graph, name, index, dataType);
        }

        /**
         * Called in every pass by the convolution that may end this residual block ({@link FoldedInference}): the
         * array it returned with the add and ReLU already applied, arriving on input {@code edge}, and the array it
         * added (this vertex's other input); {@code out == null} when it did not fuse them in this pass.
         */
        void expectFused(int edge, INDArray out, INDArray shortcut) {
            fused = out;
            fusedShortcut = shortcut;
            fusedEdge = edge;
        }

        /** This vertex's other input as it stands now (set once that input's vertex has run in this pass). */
        INDArray input(int edge) {
            return inputs == null || edge >= inputs.length ? null : inputs[edge];
        }

        /** Whether the last pass passed a fused convolution's output on untouched (for tests). */
        boolean passedThrough() {
            return passedThrough;
        }

        /** Whether the last backward pass handed every input the same gradient array (for tests). */
        boolean lastShared() {
            return lastShared;
        }

        /**
         * Whether the backward pass may hand every input one gradient array instead of a copy each (decided once from
         * the graph's structure). DL4J M2.1 sums the gradients of a vertex that feeds several others <em>in place</em>:
         * the first array it was given receives the others ({@code ComputationGraph.calcBackpropGradients},
         * {@code currentEps.addi(...)}), so a shared array is safe only if nothing writes to it while another input
         * still has to read it. This holds when
         *
         * <ul>
         *   <li>the inputs are distinct vertices, none of them a network output, each a {@link FastBatchNormLayer} with
         *       identity or plain ReLU activation or another {@code AddReluVertex} — vertices whose backward pass only
         *       reads the gradient it is given and returns new arrays;
         *   <li>at most one input feeds further vertices (so only that input's in-place sums land in the array), and
         *       each of those further vertices is an ancestor of every other input: DL4J's backward pass then reaches
         *       them — and adds their gradients into the array — only after every other input has read the array.
         * </ul>
         *
         * Residual blocks meet this: the block's last batch norm feeds only this vertex, and an identity shortcut
         * (the previous block's output) feeds this vertex and the block's first convolution, an ancestor of that batch
         * norm; a projection shortcut's batch norm feeds only this vertex. This saves one copy of the block's output
         * gradient per block and step (ResNet-8 at batch 128: 2.8M floats).
         */
        boolean sharesGradient() {
            if (sharesGradient == null) {
                sharesGradient = structureAllowsSharing();
            }
            return sharesGradient;
        }

        private boolean structureAllowsSharing() {
            org.deeplearning4j.nn.graph.vertex.GraphVertex[] all = graph == null ? null : graph.getVertices();
            VertexIndices[] ins = getInputVertices();
            if (all == null || ins == null || ins.length < 2) {
                return false;
            }
            List<String> outputs = graph.getConfiguration().getNetworkOutputs();
            Set<Integer> distinct = new HashSet<>();
            int fanOut = -1;
            for (int i = 0; i < ins.length; i++) {
                org.deeplearning4j.nn.graph.vertex.GraphVertex v = all[ins[i].getVertexIndex()];
                if (!distinct.add(v.getVertexIndex()) || outputs.contains(v.getVertexName()) || !onlyReadsGradient(v)) {
                    return false;
                }
                VertexIndices[] consumers = v.getOutputVertices();
                if (consumers != null && consumers.length > 1) {
                    if (fanOut >= 0) {
                        return false;
                    }
                    fanOut = i;
                }
            }
            if (fanOut < 0) {
                return true;
            }
            for (VertexIndices c : all[ins[fanOut].getVertexIndex()].getOutputVertices()) {
                if (c.getVertexIndex() == getVertexIndex()) {
                    continue;
                }
                for (int j = 0; j < ins.length; j++) {
                    if (j != fanOut && !isAncestor(all, c.getVertexIndex(), ins[j].getVertexIndex())) {
                        return false;
                    }
                }
            }
            return true;
        }

        private static boolean onlyReadsGradient(org.deeplearning4j.nn.graph.vertex.GraphVertex v) {
            if (v instanceof Impl) {
                return true;
            }
            if (!v.hasLayer() || !(v.getLayer() instanceof FastBatchNormLayer bn)) {
                return false;
            }
            IActivation act = ((BaseLayer) bn.conf().getLayer()).getActivationFn();
            return act instanceof ActivationIdentity || FastBatchNormLayer.isPlainRelu(act);
        }

        /** Whether vertex {@code a} lies upstream of vertex {@code b} (a path a → … → b, a ≠ b). */
        private static boolean isAncestor(org.deeplearning4j.nn.graph.vertex.GraphVertex[] all, int a, int b) {
            Deque<Integer> todo = new ArrayDeque<>();
            Set<Integer> seen = new HashSet<>();
            todo.add(b);
            while (!todo.isEmpty()) {
                VertexIndices[] ins = all[todo.poll()].getInputVertices();
                if (ins == null) {
                    continue;
                }
                for (VertexIndices in : ins) {
                    int i = in.getVertexIndex();
                    if (i == a) {
                        return true;
                    }
                    if (seen.add(i)) {
                        todo.add(i);
                    }
                }
            }
            return false;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward()) {
                throw new IllegalStateException("AddReluVertex " + vertexName + ": inputs not set");
            }
            INDArray f = fused;
            fused = null;
            passedThrough = false;
            if (f != null) {
                INDArray s = fusedShortcut;
                fusedShortcut = null;
                if (training || inputs.length != 2 || inputs[fusedEdge] != f || inputs[1 - fusedEdge] != s) {
                    throw new IllegalStateException("AddReluVertex " + vertexName + ": the convolution ending this"
                            + " residual block ran with the add and ReLU fused in, but the vertex was given other"
                            + " arrays" + (training ? " (in a training pass)" : "") + " than that convolution's output"
                            + " and the shortcut it added");
                }
                passedThrough = true;
                // the fused output is the convolution's own buffer, outside workspaces and rewritten by the next
                // pass: a caller that asked for this vertex's activation gets a copy
                return workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS) ? workspaceMgr.dup(ArrayType.ACTIVATIONS, f) : f;
            }
            INDArray first = inputs[0];
            for (int i = 1; i < inputs.length; i++) {
                if (!Arrays.equals(inputs[i].shape(), first.shape())) {
                    throw new IllegalStateException("AddReluVertex " + vertexName + ": input " + i + " has shape "
                            + Arrays.toString(inputs[i].shape()) + ", input 0 " + Arrays.toString(first.shape()));
                }
            }
            INDArray out =
                    workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, first.dataType(), first.shape(), 'c');
            Nd4j.exec(new AddOp(first, inputs[1], out));
            for (int i = 2; i < inputs.length; i++) {
                out.addi(inputs[i]);
            }
            Nd4j.exec(new RectifiedLinear(out, out, 0.0));
            output = training ? out : null;
            return out;
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("AddReluVertex " + vertexName + ": epsilon not set");
            }
            if (output == null || !Arrays.equals(output.shape(), epsilon.shape())) {
                throw new IllegalStateException(
                        "AddReluVertex " + vertexName + ": backward pass without a training forward pass");
            }
            INDArray[] grads = new INDArray[inputs.length];
            grads[0] = workspaceMgr.createUninitialized(
                    ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
            ReluBackward.apply(output, epsilon, grads[0]);
            boolean share = !"false".equals(System.getProperty(SHARED_GRADIENT_PROPERTY)) && sharesGradient();
            for (int i = 1; i < inputs.length; i++) {
                grads[i] = share ? grads[0] : workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, grads[0]);
            }
            lastShared = share;
            output = null;
            return new Pair<>(null, grads);
        }

        @Override
        public String toString() {
            return "AddReluVertex(name=\"" + vertexName + "\")";
        }
    }
}
