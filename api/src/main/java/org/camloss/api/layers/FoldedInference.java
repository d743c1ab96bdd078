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
 * but outputs opens this scope (the evaluator, {@code demo}'s prediction, {@code bench}'s inference passes); outside
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
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, List<String>> consumers = new HashMap<>();
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            for (String in : e.getValue()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(e.getKey());
            }
        }
        List<FastConvolutionLayer> paired = new ArrayList<>();
        for (GraphVertex v : graph.getVertices()) {
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
            }
        }
        return new FoldedInference(paired);
    }

    /** How many convolution → batch norm pairs this scope opened (for logs and tests). */
    public int pairs() {
        return paired.size();
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
