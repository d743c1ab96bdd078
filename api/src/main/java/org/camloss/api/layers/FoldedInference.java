package org.camloss.api.layers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;

/**
 * A scope in which a graph's inference passes run each convolution → batch norm pair as one convolution: the batch
 * norm folded into the convolution's weights and bias ({@code scale = γ / √(var + ε)}, {@code W' = W · scale[cout]},
 * {@code b' = (b − mean) · scale + β}, from the running statistics exactly as {@link FastBatchNormLayer}'s inference
 * uses them), and the batch norm's ReLU, where it has one, applied by the convolution (a oneDNN post-op,
 * {@link ConvolutionForward#plan(ConvolutionBackward.Geometry, boolean, boolean)}). The batch-norm layer then returns
 * its input untouched. For callers that only need the network's output:
 *
 * <pre>{@code
 * try (FoldedInference folded = FoldedInference.open(graph)) {
 *     INDArray[] out = graph.output(false, x);
 * }
 * }</pre>
 *
 * <p><b>Why a scope.</b> Folding changes what the convolution vertex returns (the batch norm's output, not the
 * convolution's). {@code graph.output} only hands back the network's outputs, but {@code feedForward} and
 * {@code output(List, ...)} return chosen vertices' activations — what CAM, Grad-CAM and the explain code read —
 * and there a convolution's activation must keep its meaning. So folding is off unless a caller that reads nothing
 * but outputs, or only chosen vertices' activations, opens this scope ({@code CamModel.forward}'s inference passes,
 * which the evaluator, few-shot features and a camloss-trained teacher use; {@code bench}'s inference passes); outside
 * it every layer runs as before, and saved models, configurations and training are untouched (the pairing lives in
 * the layers' transient state only, set here and cleared by {@link #close()}). Inside the scope, as a second guard, a
 * convolution folds only when its activation goes to a DL4J workspace, not to the caller: {@code feedForward}
 * detaches every activation and {@code output(List, ...)} the ones asked for, so those keep the unfused path even
 * here.
 *
 * <p><b>Which pairs.</b> A {@link FastConvolution} vertex that is not a network output and whose only consumer is a
 * {@link FastBatchNorm} layer vertex with no input preprocessor and that one input, both NHWC, the convolution's
 * activation the identity and the batch norm's the identity or a plain ReLU. A pair folds in a pass when, in
 * addition, the pass is in inference mode, the network is float, a {@link ConvolutionForward} provider plans the
 * geometry and {@value FastConvolutionLayer#FORWARD_PROPERTY} is not {@code dl4j}; otherwise both layers run as
 * before. The batch norm passes its input through only when that input is the very array (object identity) its
 * convolution returned folded in this pass, and fails loudly if its convolution folded but it was handed another
 * array. A residual block (conv → BN + ReLU → conv → BN → add + ReLU) has two such pairs; a pre-activation block (BN →
 * ReLU → conv → BN → ReLU → conv) has one, its first convolution and second batch norm (the leading BN → ReLU → conv
 * is the other direction and stays as it is).
 *
 * <p><b>Residual blocks and output buffers (Change 16).</b> Where a pair's batch norm (identity activation) feeds
 * only an {@link AddReluVertex} with two inputs, and the add's other input (the shortcut) is computed before the pair's
 * convolution runs, that convolution also applies the add and its ReLU (oneDNN sum and ReLU post-ops,
 * {@link ConvolutionForward#plan(ConvolutionBackward.Geometry, boolean, boolean, boolean)}) and the add vertex passes
 * its output on, checked by object identity as the batch norm does (and failing loudly if handed other arrays).
 * Folded outputs go to a few buffers outside DL4J's workspaces that the graph's folded convolutions share
 * ({@link OutputSlots}, assigned here from the topological order so that no output is overwritten while something
 * still reads it); the vertices after them read them without DL4J's copy of every layer input into the layer's own
 * workspace. The sum is written into the shortcut's own buffer where the shortcut is another pair's output that
 * nothing reads after this convolution but the add (identity and 1×1-projection shortcuts), else into the
 * convolution's buffer with the shortcut copied there first (a zero-pad shortcut). An add or batch norm asked for by
 * {@code output(List, ...)} hands back a copy; a batch norm whose output already holds the add fails loudly there,
 * since its own activation no longer exists — unless the scope was opened with it among the vertices the caller
 * will ask for ({@link #open(ComputationGraph, java.util.Collection)}), which leaves that add unfused. {@value FastConvolutionLayer#OUTPUT_BUFFERS_PROPERTY}{@code =workspace}
 * and {@value FastConvolutionLayer#FUSE_RESIDUAL_PROPERTY}{@code =false} switch these off. The buffers stay with the
 * layers after the scope (one activation per buffer, at the largest batch seen), so that a scope per batch does not
 * allocate.
 *
 * <p><b>Parameters.</b> The folded weights are computed in every pass from the current parameters (one pass over
 * each convolution's weights in Java, into the layer's working memory: 0.03 ms per ResNet-8 pass, 0.08 ms per
 * ResNet-20 pass), so they follow training, {@code setParams} and loaded models without any bookkeeping: DL4J updates
 * parameters in place and has no version to key a cache on, and checking whether they changed reads as much as
 * folding them again.
 *
 * <p>Not thread-safe (as a DL4J graph is not); scopes over one graph may nest (an inner scope leaves the pairs it
 * found already open to the outer one).
 */
public final class FoldedInference implements AutoCloseable {
    private final List<FastConvolutionLayer> paired;
    private boolean closed;

    private FoldedInference(List<FastConvolutionLayer> paired) {
        this.paired = paired;
    }

    /** Pairs {@code graph}'s convolution → batch norm vertices for folded inference until {@link #close()}. */
    public static FoldedInference open(ComputationGraph graph) {
        return open(graph, java.util.Set.of());
    }

    /**
     * As {@link #open(ComputationGraph)}, for a caller that will ask {@code output(List, ...)} for the vertices
     * {@code asked}: a batch norm among them keeps its own activation (its pair still folds, but the residual add
     * after it is not fused into the convolution), so asking for it does not fail. Names that are not vertices are
     * ignored.
     *
     * @param asked the vertices whose activations the caller will request inside the scope
     */
    public static FoldedInference open(ComputationGraph graph, java.util.Collection<String> asked) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, List<String>> consumers = new HashMap<>();
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            for (String in : e.getValue()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(e.getKey());
            }
        }
        int[] order = graph.topologicalSortOrder();
        int[] step = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            step[order[i]] = i;
        }
        List<FastConvolutionLayer> paired = new ArrayList<>();
        List<int[]> live = new ArrayList<>(); // per pair: its convolution's step, the last step reading its output
        Map<String, FastConvolutionLayer> passedOnBy = new HashMap<>(); // vertex → the pair whose output it passes on
        java.util.Set<GraphVertex> claimedAdds = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int index : order) { // in the order the vertices run, so that a shortcut's pair is known before its add's
            GraphVertex v = graph.getVertices()[index];
            if (!(v instanceof LayerVertex) || !(v.getLayer() instanceof FastConvolutionLayer conv)) {
                continue;
            }
            String name = v.getVertexName();
            List<String> next = consumers.getOrDefault(name, List.of());
            if (conf.getNetworkOutputs().contains(name) || next.size() != 1) {
                continue;
            }
            GraphVertex b = graph.getVertex(next.get(0));
            if (!(b instanceof LayerVertex lv)
                    || lv.getLayerPreProcessor() != null
                    || !(b.getLayer() instanceof FastBatchNormLayer bn)
                    || conf.getVertexInputs().get(b.getVertexName()).size() != 1) {
                continue;
            }
            if (conv.foldTarget() == null && conv.pairWith(bn)) {
                paired.add(conv);
                GraphVertex add = asked.contains(b.getVertexName())
                        ? null
                        : residualAdd(graph, consumers, b, bn, step[v.getVertexIndex()], step);
                GraphVertex last = b; // the last vertex that passes the convolution's output on
                if (add != null && claimedAdds.add(add)) {
                    List<String> in = conf.getVertexInputs().get(add.getVertexName());
                    int edge = in.indexOf(b.getVertexName());
                    conv.residualWith((AddReluVertex.Impl) add, edge);
                    FastConvolutionLayer owner = passedOnBy.get(in.get(1 - edge));
                    if (owner != null
                            && !"false".equals(System.getProperty(FastConvolutionLayer.FUSE_RESIDUAL_PROPERTY))
                            && readOnlyBefore(
                                    graph, consumers, in.get(1 - edge), add, step[v.getVertexIndex()], step)) {
                        conv.sumInto(owner);
                    }
                    last = add;
                }
                passedOnBy.put(last.getVertexName(), conv);
                live.add(new int[] {step[v.getVertexIndex()], lastRead(graph, consumers, last, step)});
            }
        }
        assignSlots(graph, paired, live);
        return new FoldedInference(paired);
    }

    /**
     * Whether everything that reads vertex {@code name}'s output other than {@code add} runs before {@code convStep},
     * and it is not a network output: then the convolution at {@code convStep} may add into that output in place.
     */
    private static boolean readOnlyBefore(
            ComputationGraph graph,
            Map<String, List<String>> consumers,
            String name,
            GraphVertex add,
            int convStep,
            int[] step) {
        if (graph.getConfiguration().getNetworkOutputs().contains(name)) {
            return false;
        }
        for (String c : consumers.getOrDefault(name, List.of())) {
            if (!c.equals(add.getVertexName()) && step[graph.getVertex(c).getVertexIndex()] >= convStep) {
                return false;
            }
        }
        return true;
    }

    /**
     * The last step (topological position) at which {@code v}'s output is read: its latest consumer's, or past the
     * end for a network output.
     */
    private static int lastRead(
            ComputationGraph graph, Map<String, List<String>> consumers, GraphVertex v, int[] step) {
        if (graph.getConfiguration().getNetworkOutputs().contains(v.getVertexName())) {
            return Integer.MAX_VALUE;
        }
        int last = step[v.getVertexIndex()];
        for (String c : consumers.getOrDefault(v.getVertexName(), List.of())) {
            last = Math.max(last, step[graph.getVertex(c).getVertexIndex()]);
        }
        return last;
    }

    /**
     * Gives each pair an output slot ({@link OutputSlots}): in order of the convolutions' steps, the first slot whose
     * previous output was last read strictly before this convolution's step (so neither its input nor the shortcut it
     * adds, both still read at this step, can share its slot), else a new one. The slots object is the graph's: taken
     * over from a layer that had one in an earlier scope.
     */
    private static void assignSlots(ComputationGraph graph, List<FastConvolutionLayer> paired, List<int[]> live) {
        if (paired.isEmpty()) {
            return;
        }
        OutputSlots slots = null;
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            if (l instanceof FastConvolutionLayer c && c.outputSlots() != null) {
                slots = c.outputSlots();
                break;
            }
        }
        if (slots == null) {
            slots = new OutputSlots();
        }
        Integer[] byStep = new Integer[paired.size()];
        for (int i = 0; i < byStep.length; i++) {
            byStep[i] = i;
        }
        java.util.Arrays.sort(byStep, java.util.Comparator.comparingInt(i -> live.get(i)[0]));
        List<Integer> freeAfter = new ArrayList<>(); // per slot: the last step its current output is read
        for (int i : byStep) {
            int start = live.get(i)[0];
            FastConvolutionLayer inPlaceOf = paired.get(i).inPlaceOf();
            if (inPlaceOf != null) { // the shortcut's slot, which stays in use until this output's last read
                int slot = inPlaceOf.slot();
                freeAfter.set(slot, Math.max(freeAfter.get(slot), live.get(i)[1]));
                paired.get(i).outputSlot(slots, slot);
                continue;
            }
            int slot = -1;
            for (int s = 0; s < freeAfter.size() && slot < 0; s++) {
                if (freeAfter.get(s) < start) {
                    slot = s;
                }
            }
            if (slot < 0) {
                slot = freeAfter.size();
                freeAfter.add(0);
            }
            freeAfter.set(slot, live.get(i)[1]);
            paired.get(i).outputSlot(slots, slot);
        }
        slots.ensure(freeAfter.size());
    }

    /**
     * The {@link AddReluVertex} this pair can end in its convolution, or {@code null}: the batch norm (identity
     * activation, not a network output) feeds only that add, which has two different inputs, and the add's other input
     * comes from a vertex that runs before the convolution (so it is there when the convolution runs; the pair that
     * ends a block's later branch qualifies, never both).
     */
    private static GraphVertex residualAdd(
            ComputationGraph graph,
            Map<String, List<String>> consumers,
            GraphVertex bnVertex,
            FastBatchNormLayer bn,
            int convStep,
            int[] step) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        String name = bnVertex.getVertexName();
        List<String> next = consumers.getOrDefault(name, List.of());
        if (conf.getNetworkOutputs().contains(name)
                || next.size() != 1
                || !(bn.layerConf().getActivationFn() instanceof org.nd4j.linalg.activations.impl.ActivationIdentity)) {
            return null;
        }
        GraphVertex add = graph.getVertex(next.get(0));
        List<String> in = conf.getVertexInputs().get(add.getVertexName());
        if (!(add instanceof AddReluVertex.Impl) || in.size() != 2 || in.get(0).equals(in.get(1))) {
            return null;
        }
        String other = in.get(0).equals(name) ? in.get(1) : in.get(0);
        return step[graph.getVertex(other).getVertexIndex()] < convStep ? add : null;
    }

    /** How many convolution → batch norm pairs this scope opened (for logs and tests). */
    public int pairs() {
        return paired.size();
    }

    /** How many of those pairs end a residual block, its add and ReLU fused into the convolution (for tests). */
    public int residualPairs() {
        int n = 0;
        for (FastConvolutionLayer c : paired) {
            n += c.endsResidual() ? 1 : 0;
        }
        return n;
    }

    /** Ends folding for the pairs this scope opened; their layers run unfused again. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (FastConvolutionLayer conv : paired) {
            conv.unpair();
        }
    }
}
