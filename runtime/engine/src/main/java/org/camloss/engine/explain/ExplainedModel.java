package org.camloss.engine.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camloss.api.InputShape;
import org.camloss.api.cam.LinearHead;
import org.camloss.engine.model.CamModel;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained classifier as CAM methods see it: logits, the activations of any 4-D layer, the gradient of a target
 * logit with respect to them, and the global average pooling + linear head where there is one. Everything runs in
 * inference mode. Two kinds of model:
 *
 * <ul>
 *   <li>a camloss model ({@link #of(CamModel)}): the backbone's feature map is pooled and classified by the
 *       {@link CamModel#HEAD}, so the feature map has a linear head and its gradient is exact in closed form,
 *       ∂z_k/∂F[c, i, j] = W[k, c] / (h·w);</li>
 *   <li>a plain DL4J {@link ComputationGraph} ({@link #ofGraph}): a named dense or output layer gives the logits
 *       z = x·W + b from its input x [N, C] (pre-activation even after a softmax output layer); when x is the global
 *       average of a 4-D map (checked on a probe image), that map has a linear head.</li>
 * </ul>
 *
 * <p>Images are NHWC [N, H, W, C] whatever the graph takes (an NCHW graph gets them permuted); activations and
 * gradients are returned NCHW. Gradients at layers before the pooled map run through a {@link LayerTail}. Not
 * thread-safe (DL4J graphs are not).
 */
public abstract class ExplainedModel {
    /** The graph. */
    protected final ComputationGraph graph;

    private final InputShape shape;
    private final boolean nchwInput;
    private final boolean nchwMaps;
    private final String pooled;
    private final List<String> layers;
    private final Map<String, long[]> mapShapes;
    private final Map<String, LayerTail> tails = new HashMap<>();
    private boolean detachedOutput;

    /**
     * @param pooled    the vertex whose activations the logits are a linear function of (a camloss model's feature
     *                  map; a plain graph's logits-layer input)
     * @param nchwInput whether the graph takes NCHW images
     * @param nchwMaps  whether the graph's 4-D activations are NCHW
     */
    protected ExplainedModel(
            ComputationGraph graph, InputShape shape, String pooled, boolean nchwInput, boolean nchwMaps) {
        this.graph = inferenceCopy(graph);
        this.shape = shape;
        this.pooled = pooled;
        this.nchwInput = nchwInput;
        this.nchwMaps = nchwMaps;
        this.mapShapes = probeMaps();
        this.layers = targetLayers();
    }

    /**
     * The graph with every DL4J activation layer swapped for a {@link CopyingActivation} (same parameters, shared
     * with the original only by value), so that any vertex's activations can be read back as they were computed.
     */
    private static ComputationGraph inferenceCopy(ComputationGraph graph) {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf =
                graph.getConfiguration().clone();
        boolean changed = false;
        for (org.deeplearning4j.nn.conf.graph.GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a
                    && !(a instanceof CopyingActivation)) {
                lv.getLayerConf().setLayer(CopyingActivation.of(a));
                changed = true;
            }
        }
        if (!changed) {
            return graph;
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(graph.params().dup(), false);
        return copy;
    }

    /** A camloss model. */
    public static ExplainedModel of(CamModel model) {
        return new CamHeadModel(model);
    }

    /**
     * A plain DL4J graph.
     *
     * @param logits   a dense or output layer with W [C, K] and b [K] whose input x [N, C] gives the logits x·W + b
     * @param features the 4-D map whose global average is x, or null to find it (the input of a global average
     *                 pooling layer feeding {@code logits}, if there is one)
     * @param nchw     whether the graph takes and produces NCHW arrays (false: NHWC)
     * @throws IllegalArgumentException naming the problem and the valid choices when a name does not fit
     */
    public static ExplainedModel ofGraph(
            ComputationGraph graph, InputShape shape, String logits, String features, boolean nchw) {
        return GraphModel.create(graph, shape, logits, features, nchw);
    }

    /** The image shape the model takes. */
    public InputShape inputShape() {
        return shape;
    }

    /** K. */
    public abstract int numClasses();

    /** The data type of the model's parameters and activations. */
    public DataType dataType() {
        return graph.params().dataType();
    }

    /** The graph. */
    public ComputationGraph graph() {
        return graph;
    }

    /** The layer CAM methods use when none is named: the map the head pools (a camloss model's feature map). */
    public abstract String defaultLayer();

    /**
     * Every vertex a CAM method can explain, in the graph's order: those with a 4-D output on which the logits
     * depend.
     */
    public List<String> layers() {
        return layers;
    }

    /** [C, h, w] of a layer's map for the model's input shape. */
    public long[] mapShape(String layer) {
        checkLayer(layer);
        return mapShapes.get(layer).clone();
    }

    /**
     * Checks that {@code layer} is one of {@link #layers()}.
     *
     * @throws IllegalArgumentException naming the layer and listing the valid ones
     */
    public void checkLayer(String layer) {
        if (!mapShapes.containsKey(layer)) {
            boolean exists = graph.getConfiguration().getVertices().containsKey(layer)
                    || graph.getConfiguration().getNetworkInputs().contains(layer);
            throw new IllegalArgumentException("'" + layer + "' "
                    + (exists
                            ? "is not a layer with a 4-D output that the logits depend on"
                            : "is not a layer of the model")
                    + "; valid layers: " + String.join(", ", layers));
        }
    }

    /** The global average pooling + linear head classifying {@code layer}'s map, if there is one. */
    public abstract Optional<LinearHead> linearHead(String layer);

    /** Why {@link #linearHead} is empty for {@code layer}, for messages. */
    public abstract String noLinearHeadReason(String layer);

    /**
     * Logits, [N, K].
     *
     * @param images [N, H, W, C]
     */
    public INDArray logits(INDArray images) {
        return logitsFrom(outputs(images, List.of(pooled))[0]);
    }

    /**
     * One forward pass: the layer's activations (NCHW) and the logits.
     *
     * @param images [N, H, W, C]
     */
    public Forward forward(INDArray images, String layer) {
        checkLayer(layer);
        List<String> names = layer.equals(pooled) ? List.of(pooled) : List.of(layer, pooled);
        INDArray[] acts = outputs(images, names);
        INDArray maps = nchw(acts[0]);
        return new Forward(maps, logitsFrom(acts[acts.length - 1]));
    }

    /**
     * ∂z[n, targets[n]] / ∂A[n] for every image: the gradient of each image's target logit with respect to the
     * layer's activations A, in inference mode.
     *
     * @param images  [N, H, W, C]
     * @param targets N class indices
     * @return [N, C, h, w]
     */
    public INDArray gradients(INDArray images, String layer, int[] targets) {
        checkLayer(layer);
        checkTargets(targets, images.size(0));
        if (layer.equals(pooled)) {
            INDArray act = outputs(images, List.of(pooled))[0];
            return nchw(epsilonAtPooled(act, targets));
        }
        LayerTail tail = tails.computeIfAbsent(layer, l -> LayerTail.build(graph, l, pooled));
        INDArray[] acts = outputs(images, tail.inputs());
        INDArray pooledAct = outputs(images, List.of(pooled))[0];
        return nchw(tail.gradient(acts, epsilonAtPooled(pooledAct, targets)));
    }

    /** Checks targets against the classes. */
    protected void checkTargets(int[] targets, long n) {
        if (targets.length != n) {
            throw new IllegalArgumentException("targets: expected " + n + ", found " + targets.length);
        }
        for (int t : targets) {
            if (t < 0 || t >= numClasses()) {
                throw new IllegalArgumentException(
                        "target class " + t + " is out of range [0, " + (numClasses() - 1) + "]");
            }
        }
    }

    /** Logits from the pooled vertex's activations (graph layout). */
    protected abstract INDArray logitsFrom(INDArray pooledActivations);

    /** ∂(Σ_n z[n, targets[n]]) / ∂(pooled activations), in the graph's layout. */
    protected abstract INDArray epsilonAtPooled(INDArray pooledActivations, int[] targets);

    /** The activations of {@code names} (graph layout), inference mode. */
    protected INDArray[] outputs(INDArray images, List<String> names) {
        if (images.rank() != 4
                || images.size(1) != shape.height()
                || images.size(2) != shape.width()
                || images.size(3) != shape.channels()) {
            throw new IllegalArgumentException("images must be [N, " + shape.height() + ", " + shape.width() + ", "
                    + shape.channels() + "], found " + Arrays.toString(images.shape()));
        }
        INDArray in = images.castTo(dataType());
        if (nchwInput) {
            in = in.permute(0, 3, 1, 2).dup();
        }
        if (!detachedOutput) {
            try {
                return graph.output(names, false, new INDArray[] {in}, null);
            } catch (org.nd4j.linalg.workspace.ND4JWorkspaceException e) {
                // DL4J M2.1: output(List) leaks a workspace for some cuts of imported graphs (see CamModel.output)
                Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
                detachedOutput = true;
            }
        }
        Map<String, INDArray> all = graph.feedForward(new INDArray[] {in}, false, false);
        INDArray[] out = new INDArray[names.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(names.get(i)).dup();
        }
        return out;
    }

    /** A 4-D activation in NCHW, as a new array. */
    protected INDArray nchw(INDArray a) {
        if (a.rank() != 4) {
            return a.dup();
        }
        return nchwMaps ? a.dup() : a.permute(0, 3, 1, 2).dup();
    }

    /** Whether 4-D activations are NCHW. */
    protected boolean nchwMaps() {
        return nchwMaps;
    }

    /** The vertex the logits are a linear function of. */
    protected String pooled() {
        return pooled;
    }

    private Map<String, long[]> probeMaps() {
        INDArray probe = Nd4j.zeros(dataType(), 1, shape.height(), shape.width(), shape.channels());
        INDArray in = nchwInput ? probe.permute(0, 3, 1, 2).dup() : probe;
        Map<String, INDArray> all;
        try {
            all = graph.feedForward(new INDArray[] {in}, false, true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "the model cannot take " + shape + " images (" + firstLine(e.getMessage()) + ")");
        }
        Map<String, long[]> out = new HashMap<>();
        java.util.Set<String> ancestors = ancestorsOrSelf(pooled);
        for (Map.Entry<String, INDArray> e : all.entrySet()) {
            INDArray a = e.getValue();
            if (a != null
                    && a.rank() == 4
                    && ancestors.contains(e.getKey())
                    && !graph.getConfiguration().getNetworkInputs().contains(e.getKey())) {
                long[] s = a.shape();
                out.put(e.getKey(), nchwMaps ? new long[] {s[1], s[2], s[3]} : new long[] {s[3], s[1], s[2]});
            }
        }
        return out;
    }

    private List<String> targetLayers() {
        List<String> order = graph.getConfiguration().getTopologicalOrderStr();
        List<String> out = new ArrayList<>();
        for (String v : order != null
                ? order
                : new ArrayList<>(graph.getConfiguration().getVertices().keySet())) {
            if (mapShapes.containsKey(v) && !out.contains(v)) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }

    private java.util.Set<String> ancestorsOrSelf(String v) {
        Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(v));
        while (!todo.isEmpty()) {
            String x = todo.pop();
            if (seen.add(x)) {
                todo.addAll(inputs.getOrDefault(x, List.of()));
            }
        }
        return seen;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * One forward pass.
     *
     * @param activations the layer's map, [N, C, h, w]
     * @param logits      [N, K]
     */
    public record Forward(INDArray activations, INDArray logits) {}

    /** A camloss model: the feature map, global average pooling and the head's W [K, C], b. */
    private static final class CamHeadModel extends ExplainedModel {
        private final CamModel model;

        CamHeadModel(CamModel model) {
            super(
                    model.graph(),
                    model.inputShape(),
                    model.featureVertex(),
                    false,
                    !model.head().isChannelsLast());
            this.model = model;
        }

        @Override
        public int numClasses() {
            return model.head().getClasses();
        }

        @Override
        public String defaultLayer() {
            return model.featureVertex();
        }

        @Override
        public Optional<LinearHead> linearHead(String layer) {
            checkLayer(layer);
            if (!layer.equals(model.featureVertex())) {
                return Optional.empty();
            }
            INDArray w = model.classifierWeight().castTo(dataType()).dup();
            INDArray b =
                    model.classifierBias().castTo(dataType()).reshape(w.size(0)).dup();
            return Optional.of(new LinearHead(w, b));
        }

        @Override
        public String noLinearHeadReason(String layer) {
            return "its global average pooling + linear head classifies '" + model.featureVertex() + "', not '" + layer
                    + "'";
        }

        @Override
        protected INDArray logitsFrom(INDArray features) {
            INDArray f = nchw(features);
            INDArray pooledF = f.mean(2, 3);
            return pooledF.mmul(
                            model.classifierWeight().castTo(pooledF.dataType()).transpose())
                    .addiRowVector(model.classifierBias().castTo(pooledF.dataType()));
        }

        @Override
        protected INDArray epsilonAtPooled(INDArray features, int[] targets) {
            INDArray w = model.classifierWeight().castTo(features.dataType());
            long n = features.size(0);
            long c = w.size(1);
            INDArray rows = Nd4j.create(features.dataType(), n, c);
            for (int i = 0; i < n; i++) {
                rows.putRow(i, w.getRow(targets[i]));
            }
            long h = nchwMaps() ? features.size(2) : features.size(1);
            long wd = nchwMaps() ? features.size(3) : features.size(2);
            rows.divi(h * wd);
            INDArray eps = Nd4j.create(features.dataType(), features.shape());
            if (nchwMaps()) {
                eps.addi(rows.reshape(n, c, 1, 1));
            } else {
                eps.addi(rows.reshape(n, 1, 1, c));
            }
            return eps;
        }
    }

    /** A plain DL4J graph whose logits are a dense layer's input times W plus b. */
    private static final class GraphModel extends ExplainedModel {
        private final String logits;
        private final String features;
        private final INDArray w;
        private final INDArray b;
        private final String noHead;

        private GraphModel(
                ComputationGraph graph,
                InputShape shape,
                String pooled,
                boolean nchw,
                String logits,
                String features,
                String noHead) {
            super(graph, shape, pooled, nchw, nchw);
            this.logits = logits;
            Layer layer = graph.getLayer(logits);
            this.w = layer.getParam("W");
            this.b = layer.getParam("b");
            this.features = features;
            this.noHead = noHead;
        }

        static GraphModel create(
                ComputationGraph graph, InputShape shape, String logits, String features, boolean nchw) {
            java.util.TreeSet<String> vertices = new java.util.TreeSet<>(
                    graph.getConfiguration().getVertices().keySet());
            if (!vertices.contains(logits)) {
                throw new IllegalArgumentException(
                        "no logits layer '" + logits + "'; the graph's vertices: " + vertices);
            }
            Layer layer = graph.getLayer(logits);
            INDArray w = layer == null ? null : layer.getParam("W");
            INDArray b = layer == null ? null : layer.getParam("b");
            if (w == null || b == null || w.rank() != 2) {
                throw new IllegalArgumentException("'" + logits + "' is not a dense or output layer with weights W and "
                        + "bias b; the graph's vertices: " + vertices);
            }
            String pooled =
                    graph.getConfiguration().getVertexInputs().get(logits).get(0);
            String found = features;
            if (found == null || found.isEmpty()) {
                found = gapInput(graph, pooled);
            } else if (!vertices.contains(found)) {
                throw new IllegalArgumentException(
                        "no feature layer '" + features + "'; the graph's vertices: " + vertices);
            }
            GraphModel probe = new GraphModel(graph, shape, pooled, nchw, logits, null, "");
            INDArray img = Nd4j.rand(probe.dataType(), 2, shape.height(), shape.width(), shape.channels());
            INDArray x = probe.outputs(img, List.of(pooled))[0];
            if (x.rank() != 2 || x.size(1) != w.size(0)) {
                throw new IllegalArgumentException("the input of '" + logits + "' must be [N, " + w.size(0)
                        + "] (pooled features), found " + Arrays.toString(x.shape()));
            }
            String noHead = "";
            String head = null;
            if (found == null) {
                noHead = "no global average pooling feeds its logits layer '" + logits + "' (name the pooled map with "
                        + "--features)";
            } else if (!probe.layers().contains(found)) {
                throw new IllegalArgumentException(
                        "'" + found + "' is not a 4-D map the logits depend on; valid layers: "
                                + String.join(", ", probe.layers()));
            } else {
                INDArray f = probe.forward(img, found).activations();
                if (f.size(1) == w.size(0)
                        && f.mean(2, 3)
                                .equalsWithEps(
                                        x.castTo(f.dataType()),
                                        1e-4 * Math.max(1, x.amaxNumber().doubleValue()))) {
                    head = found;
                } else {
                    noHead = "the input of its logits layer '" + logits + "' is not the global average of '" + found
                            + "'";
                }
            }
            String fallback =
                    head != null ? head : probe.layers().get(probe.layers().size() - 1);
            return new GraphModel(
                    graph, shape, pooled, nchw, logits, head == null ? fallback : head, head == null ? noHead : "");
        }

        /** The input of a global average pooling layer that produces {@code pooled}, or null. */
        private static String gapInput(ComputationGraph graph, String pooled) {
            if (graph.getConfiguration().getVertices().get(pooled) instanceof LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof GlobalPoolingLayer gp
                    && gp.getPoolingType() == PoolingType.AVG) {
                return graph.getConfiguration().getVertexInputs().get(pooled).get(0);
            }
            return null;
        }

        @Override
        public int numClasses() {
            return (int) w.size(1);
        }

        @Override
        public String defaultLayer() {
            return features;
        }

        @Override
        public Optional<LinearHead> linearHead(String layer) {
            checkLayer(layer);
            if (!noHead.isEmpty() || !layer.equals(features)) {
                return Optional.empty();
            }
            INDArray weight = w.castTo(dataType()).transpose().dup();
            return Optional.of(new LinearHead(
                    weight, b.castTo(dataType()).reshape(weight.size(0)).dup()));
        }

        @Override
        public String noLinearHeadReason(String layer) {
            if (!noHead.isEmpty()) {
                return noHead;
            }
            return "its global average pooling + linear head ('" + logits + "') classifies '" + features + "', not '"
                    + layer + "'";
        }

        @Override
        protected INDArray logitsFrom(INDArray x) {
            return x.mmul(w.castTo(x.dataType())).addiRowVector(b.castTo(x.dataType()));
        }

        @Override
        protected INDArray epsilonAtPooled(INDArray x, int[] targets) {
            INDArray wt = w.castTo(x.dataType());
            INDArray eps = Nd4j.create(x.dataType(), x.size(0), wt.size(0));
            for (int i = 0; i < targets.length; i++) {
                eps.putRow(i, wt.getColumn(targets[i]));
            }
            return eps;
        }
    }
}
