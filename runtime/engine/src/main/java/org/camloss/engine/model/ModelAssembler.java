package org.camloss.engine.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.TeacherSignal;
import org.camloss.api.layers.DropoutVertex;
import org.camloss.engine.head.CamHead;
import org.camloss.engine.head.Objective;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Builds a {@link CamModel}: input → backbone → {@link CamHead}, in NHWC by default. When a distiller of the
 * objective reads {@linkplain TeacherSignal#STAGES stages}, the head's input is the flattened feature map followed
 * by the flattened stages (the head takes one input), which the head unpacks.
 *
 * <p>Before the head is added, the backbone's declared {@link BackboneInfo} is compared with the shapes DL4J infers
 * for the graph it built: the feature vertex and every declared stage vertex must exist and output a 4-D map with the
 * declared channels at the model's input shape, and the map must shrink by the declared stride (measured as its
 * growth when the input grows by a multiple of every declared stride, so that 'Truncate' layers, which lose a border,
 * pass). When a distiller reads the teacher's CAM or stages, which are sized by the declaration, the map must also be
 * exactly {@code ceil(size / stride)} high and wide. A mismatch is an {@link IllegalArgumentException} naming the
 * backbone, the vertex and both numbers, e.g. {@code backbone 'plain-cnn' declares 48 channels at its feature vertex
 * 'conv4' but the graph gives 64}.
 *
 * <p>Network-level regularization: what the objective's regularizers ask of the network ({@code Regularizer.network},
 * merged) is handed to the backbone in its {@link BackboneContext}; a part the backbone does not declare in
 * {@code Backbone.regularizations} is refused ({@link IllegalArgumentException}; the runtime refuses such configs
 * earlier, naming both plugins). Dropout before the head is added here for every backbone: a
 * {@link DropoutVertex} of whole channels named {@value #FEATURE_DROPOUT} between the feature map and the head (the model's
 * feature vertex stays the backbone's, which inference reads: the dropout is the identity there). With per-pixel
 * targets ({@code Objective.regionalTargets}) maps must be exactly {@code ceil(size / stride)}, as the targets are
 * sized by the declaration.
 */
public final class ModelAssembler {
    /** The vertex of the dropout before the head, when a regularizer asks for one. */
    public static final String FEATURE_DROPOUT = "feature_dropout";

    /** Prefix of the vertices that pack stages into the head's input. */
    static final String PACK_PREFIX = "head_pack_";

    private long seed = 0;
    private IUpdater updater = new Sgd(0.1);
    private DataType dataType = DataType.FLOAT;
    private CNN2DFormat format = CNN2DFormat.NHWC;
    private String backboneName;

    private String freezeUpTo;
    private boolean frozenBatchNormTrains;
    private double backboneLrMult = 1;
    private double headLrMult = 1;

    /**
     * Freezes {@code vertex} and every layer before it: their parameters never change. By default they are wrapped in
     * DL4J's {@code FrozenLayer}, which also runs them in inference mode (batch norm with its running statistics);
     * with {@code batchNormTrains} they get a no-op updater instead, so batch norm normalises with the batch's
     * statistics and updates its running statistics.
     *
     * @param vertex a vertex of the backbone (its feature vertex, or a declared stage), or null for nothing frozen
     */
    public ModelAssembler freezeUpTo(String vertex, boolean batchNormTrains) {
        this.freezeUpTo = vertex;
        this.frozenBatchNormTrains = batchNormTrains;
        return this;
    }

    /**
     * Multiplies the learning rate (and schedule) of the backbone's layers and of the head.
     *
     * @param backbone multiplier of every backbone layer that is not frozen, at least 0
     * @param head     multiplier of the head, at least 0
     */
    public ModelAssembler learningRateMultipliers(double backbone, double head) {
        if (!(backbone >= 0) || !(head >= 0)) {
            throw new IllegalArgumentException(
                    "learning-rate multipliers must be >= 0, found " + backbone + " and " + head);
        }
        this.backboneLrMult = backbone;
        this.headLrMult = head;
        return this;
    }

    /** Seed of the parameter initialisation. */
    public ModelAssembler seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The updater of every parameter. */
    public ModelAssembler updater(IUpdater updater) {
        this.updater = Objects.requireNonNull(updater);
        return this;
    }

    /** Parameter and activation type (FLOAT for training, DOUBLE for gradient checks). */
    public ModelAssembler dataType(DataType dataType) {
        this.dataType = Objects.requireNonNull(dataType);
        return this;
    }

    /** Data layout of images and feature maps. */
    public ModelAssembler format(CNN2DFormat format) {
        this.format = Objects.requireNonNull(format);
        return this;
    }

    /**
     * The backbone's name in error messages, e.g. its plugin id; when not set, its class name.
     */
    public ModelAssembler backboneName(String name) {
        this.backboneName = Objects.requireNonNull(name);
        return this;
    }

    /**
     * Flattens the feature map and every stage but the last (which is the feature map) and concatenates them
     * into the head's single input; records the segment shapes in the head.
     */
    private String packStages(
            ComputationGraphConfiguration.GraphBuilder g,
            String features,
            String headFeatures,
            BackboneInfo info,
            InputShape shape,
            CamHead head) {
        List<BackboneInfo.Stage> all = info.stages();
        if (all.isEmpty() || !all.get(all.size() - 1).vertex().equals(features)) {
            throw new IllegalArgumentException("the backbone's last declared stage must be its feature map '" + features
                    + "', found stages " + all);
        }
        List<BackboneInfo.Stage> segments = new ArrayList<>();
        segments.add(all.get(all.size() - 1));
        segments.addAll(all.subList(0, all.size() - 1));
        int[] shapes = new int[segments.size() * 3];
        String[] flat = new String[segments.size()];
        for (int i = 0; i < segments.size(); i++) {
            BackboneInfo.Stage s = segments.get(i);
            int h = (shape.height() + s.stride() - 1) / s.stride();
            int w = (shape.width() + s.stride() - 1) / s.stride();
            int c = s.channels();
            int[] dims = format == CNN2DFormat.NHWC ? new int[] {h, w, c} : new int[] {c, h, w};
            System.arraycopy(dims, 0, shapes, 3 * i, 3);
            flat[i] = PACK_PREFIX + i;
            // the feature map as the head sees it (after the dropout before the head, if any)
            String source = i == 0 ? headFeatures : s.vertex();
            g.addVertex(flat[i], new PreprocessorVertex(new CnnToFeedForwardPreProcessor(h, w, c, format)), source);
        }
        g.addVertex(PACK_PREFIX + "all", new MergeVertex(), flat);
        head.setPackedShapes(shapes);
        return PACK_PREFIX + "all";
    }

    /**
     * Builds and initialises the model.
     *
     * @param shape the input images, fed as [N, H, W, C] in NHWC (the default) or [N, C, H, W] in NCHW
     * @throws IllegalArgumentException when the backbone's declared channels, stride or stages do not match the graph
     *     it builds (see the class comment)
     */
    public CamModel assemble(Backbone backbone, InputShape shape, int classes, Objective objective) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .dataType(dataType)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(CamModel.INPUT)
                .setInputTypes(InputType.convolutional(shape.height(), shape.width(), shape.channels(), format));
        String name = backboneName == null ? backbone.getClass().getName() : backboneName;
        NetworkRegularization network = networkRegularization(backbone, objective, name);
        String features = backbone.build(new BackboneContext(g, CamModel.INPUT, shape, format, network));
        BackboneInfo info = backbone.info();
        boolean exactMaps = objective.regionalTargets()
                || objective.distillers().stream()
                        .anyMatch(d -> d.requires().contains(TeacherSignal.TARGET_CAM)
                                || d.requires().contains(TeacherSignal.STAGES));
        checkDeclarations(g, features, info, shape, exactMaps, name);
        CamHead head = new CamHead(info.channels(), classes, format == CNN2DFormat.NHWC);
        head.describeBackbone(features, info);
        String headFeatures = features;
        if (network.featureDropout() > 0) {
            g.addVertex(
                    FEATURE_DROPOUT,
                    new DropoutVertex(network.featureDropout(), true, format == CNN2DFormat.NHWC),
                    features);
            headFeatures = FEATURE_DROPOUT;
        }
        String headInput = headFeatures;
        boolean stages =
                objective.distillers().stream().anyMatch(d -> d.requires().contains(TeacherSignal.STAGES));
        if (stages) {
            headInput = packStages(g, features, headFeatures, info, shape, head);
        }
        g.addLayer(CamModel.HEAD, head, headInput).setOutputs(CamModel.HEAD);
        ComputationGraphConfiguration conf = g.build();
        applyFreezingAndMultipliers(conf);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        backbone.initialize(graph);
        // training never reads the image's gradient: a convolution on it computes only its weight gradients
        InputGradients.skipUnused(graph);
        // the update as one host loop when every block is ClassicalMomentum or NoOp; otherwise DL4J's updater
        org.camloss.engine.optim.HostGraphUpdater.install(graph);
        CamModel model = new CamModel(graph, features, info, shape);
        model.attach(objective);
        return model;
    }

    /** Wraps the frozen layers and scales the other layers' learning rates (see {@link #freezeUpTo}). */
    private void applyFreezingAndMultipliers(ComputationGraphConfiguration conf) {
        java.util.Set<String> frozen = new java.util.HashSet<>();
        if (freezeUpTo != null) {
            if (!conf.getVertices().containsKey(freezeUpTo)) {
                throw new IllegalArgumentException("cannot freeze up to '" + freezeUpTo + "': no such vertex");
            }
            java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(freezeUpTo));
            while (!todo.isEmpty()) {
                String v = todo.pop();
                if (frozen.add(v)) {
                    todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
                }
            }
        }
        for (var e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv)) {
                if (frozen.contains(e.getKey()) && !frozenBatchNormTrains) {
                    // DL4J skips the backward pass of frozen vertices: a residual add before the frozen part's
                    // end would otherwise wait for an error its frozen consumers never send
                    e.setValue(new org.deeplearning4j.nn.conf.graph.FrozenVertex(e.getValue()));
                }
                continue;
            }
            var layerConf = lv.getLayerConf();
            var layer = layerConf.getLayer();
            if (frozen.contains(e.getKey())) {
                if (frozenBatchNormTrains) {
                    // a zero learning rate, not DL4J's NoOp: NoOp leaves the gradient as it is and DL4J then
                    // subtracts it whole (a step of learning rate 1); batch norm's running statistics keep their
                    // own NoOp updater, which is how DL4J applies their moving-average update
                    if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) {
                        b.setIUpdater(new org.nd4j.linalg.learning.config.Sgd(0.0));
                        b.setBiasUpdater(null);
                    }
                } else {
                    var frozenLayer = new org.deeplearning4j.nn.conf.layers.misc.FrozenLayer(layer);
                    // the wrapper carries the name too: DL4J finds a stored layer's inputs by the name of its
                    // outermost configuration, and a nameless wrapper makes the saved model unreadable
                    frozenLayer.setLayerName(layer.getLayerName());
                    layerConf.setLayer(frozenLayer);
                }
                continue;
            }
            double mult = e.getKey().equals(CamModel.HEAD) ? headLrMult : backboneLrMult;
            if (mult == 1) {
                continue;
            }
            if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) {
                b.setIUpdater(scaled(b.getIUpdater(), mult));
                if (b.getBiasUpdater() != null) {
                    b.setBiasUpdater(scaled(b.getBiasUpdater(), mult));
                }
            } else if (layer instanceof org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer sd) {
                sd.setUpdater(scaled(sd.getUpdater(), mult));
                if (sd.getBiasUpdater() != null) {
                    sd.setBiasUpdater(scaled(sd.getBiasUpdater(), mult));
                }
            }
        }
    }

    /** A copy of {@code u} with its learning rate and schedule times {@code mult}. */
    static IUpdater scaled(IUpdater u, double mult) {
        if (u == null || !u.hasLearningRate()) {
            return u;
        }
        IUpdater copy = u.clone();
        org.nd4j.linalg.schedule.ISchedule schedule = schedule(u);
        copy.setLrAndSchedule(
                u.getLearningRate(0, 0) * mult,
                schedule == null ? null : new org.camloss.engine.optim.ScaledSchedule(schedule, mult));
        return copy;
    }

    /** The learning-rate schedule of an updater, when it has one (DL4J's updaters keep it in a bean property). */
    private static org.nd4j.linalg.schedule.ISchedule schedule(IUpdater u) {
        try {
            java.lang.reflect.Method m = u.getClass().getMethod("getLearningRateSchedule");
            return (org.nd4j.linalg.schedule.ISchedule) m.invoke(u);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return null;
        }
    }

    /**
     * What the objective's regularizers ask of the network, after checking that the backbone applies every part the
     * backbone must apply itself.
     *
     * @throws IllegalArgumentException when two regularizers ask for the same part, or the backbone does not apply a
     *     part asked for
     */
    private static NetworkRegularization networkRegularization(Backbone backbone, Objective objective, String name) {
        NetworkRegularization network;
        try {
            network = objective.network();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "two regularizers ask the network for the same thing: " + e.getMessage());
        }
        for (NetworkRegularization.Kind kind : network.backboneKinds()) {
            if (!backbone.regularizations().contains(kind)) {
                throw new IllegalArgumentException("a regularizer asks for " + kind.label() + ", which backbone '"
                        + name + "' does not apply (it applies " + describe(backbone.regularizations()) + ")");
            }
        }
        return network;
    }

    private static String describe(java.util.Set<NetworkRegularization.Kind> kinds) {
        return kinds.isEmpty()
                ? "none"
                : kinds.stream()
                        .map(NetworkRegularization.Kind::label)
                        .sorted()
                        .toList()
                        .toString();
    }

    /**
     * Compares what a backbone declares with the shapes DL4J infers for the graph it built (see the class comment).
     *
     * @param g         the graph with the backbone's layers and no head yet
     * @param features  the vertex {@link Backbone#build} returned
     * @param exactMaps whether maps must be exactly {@code ceil(size / stride)} at this input (teacher maps and packed
     *                  stages are sized by the declaration), not only shrink by the declared stride
     * @param name      the backbone's name for the message
     */
    private void checkDeclarations(
            ComputationGraphConfiguration.GraphBuilder g,
            String features,
            BackboneInfo info,
            InputShape shape,
            boolean exactMaps,
            String name) {
        String who = "backbone '" + name + "'";
        for (BackboneInfo.Stage s : info.stages()) {
            if (s.channels() <= 0 || s.stride() <= 0) {
                throw new IllegalArgumentException(who + " declares " + s.channels() + " channels and stride "
                        + s.stride() + " at its stage vertex '" + s.vertex() + "'; both must be positive");
            }
        }
        if (info.channels() <= 0 || info.stride() <= 0) {
            throw new IllegalArgumentException(who + " declares " + info.channels() + " channels and stride "
                    + info.stride() + " at its feature vertex '" + features + "'; both must be positive");
        }
        if (!g.getVertices().containsKey(features)) {
            throw new IllegalArgumentException(who + " returned '" + features + "' from build() as its feature vertex, "
                    + "which is not in the graph; vertices: " + g.getVertices().keySet());
        }
        for (BackboneInfo.Stage s : info.stages()) {
            if (!g.getVertices().containsKey(s.vertex())) {
                throw new IllegalArgumentException(
                        who + " declares a stage at vertex '" + s.vertex() + "', which is not in the graph; vertices: "
                                + g.getVertices().keySet());
            }
        }
        // the stride is measured as the growth of the map when the input grows by a multiple of every declared
        // stride: exact for 'Same' and 'Truncate' padding alike (Truncate loses a border, so its maps may be
        // smaller than ceil(size / stride), which only matters where something is sized by the declaration)
        long lcm = info.stride();
        for (BackboneInfo.Stage s : info.stages()) {
            lcm = lcm / gcd(lcm, s.stride()) * s.stride();
        }
        int delta = (int) Math.min(1 << 14, 8 * lcm);
        Map<String, InputType> types = g.getLayerActivationTypes();
        Map<String, InputType> grown = typesAt(g, shape.height() + delta, shape.width() + delta, shape.channels());
        Sizes sizes = new Sizes(shape, delta, exactMaps);
        List<String> problems = new ArrayList<>();
        check(
                who,
                "its feature vertex",
                features,
                info.channels(),
                info.stride(),
                types.get(features),
                grown.get(features),
                sizes,
                problems);
        for (BackboneInfo.Stage s : info.stages()) {
            if (s.vertex().equals(features) && s.channels() == info.channels() && s.stride() == info.stride()) {
                continue; // the last stage repeats the feature map: checked above
            }
            check(
                    who,
                    "its stage vertex",
                    s.vertex(),
                    s.channels(),
                    s.stride(),
                    types.get(s.vertex()),
                    grown.get(s.vertex()),
                    sizes,
                    problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The input size the model is assembled for, the growth used to measure strides, and whether maps must be exact. */
    private record Sizes(InputShape shape, int delta, boolean exact) {}

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** The activation types of a copy of {@code g} for an input of another size ({@code g} is left as it is). */
    private Map<String, InputType> typesAt(
            ComputationGraphConfiguration.GraphBuilder g, int height, int width, int channels) {
        ComputationGraphConfiguration.GraphBuilder copy = new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs(g.getNetworkInputs().toArray(new String[0]))
                .setInputTypes(InputType.convolutional(height, width, channels, format));
        for (Map.Entry<String, org.deeplearning4j.nn.conf.graph.GraphVertex> v :
                g.getVertices().entrySet()) {
            copy.addVertex(
                    v.getKey(),
                    v.getValue().clone(),
                    g.getVertexInputs().getOrDefault(v.getKey(), List.of()).toArray(new String[0]));
        }
        return copy.getLayerActivationTypes();
    }

    private static void check(
            String who,
            String role,
            String vertex,
            int channels,
            int stride,
            InputType type,
            InputType grownType,
            Sizes sizes,
            List<String> problems) {
        String at = " at " + role + " '" + vertex + "' but the graph gives ";
        if (!(type instanceof InputType.InputTypeConvolutional map)
                || !(grownType instanceof InputType.InputTypeConvolutional grown)) {
            problems.add(who + " declares a feature map" + at + type + ", not a 4-D feature map");
            return;
        }
        if (map.getChannels() != channels) {
            problems.add(who + " declares " + channels + " channels" + at + map.getChannels());
        }
        InputShape shape = sizes.shape();
        long h = (shape.height() + stride - 1) / stride;
        long w = (shape.width() + stride - 1) / stride;
        String size = shape.height() + "x" + shape.width();
        String mapSize = map.getHeight() + "x" + map.getWidth();
        long dh = grown.getHeight() - map.getHeight();
        long dw = grown.getWidth() - map.getWidth();
        if (dh * stride != sizes.delta() || dw * stride != sizes.delta()) {
            boolean measured = dh > 0 && dh == dw && sizes.delta() % dh == 0;
            problems.add(who + " declares stride " + stride + at
                    + (measured
                            ? "stride " + sizes.delta() / dh + " (the map of a " + size + " input is " + mapSize
                                    + ", not " + h + "x" + w + ")"
                            : mapSize + " for a " + size + " input and " + grown.getHeight() + "x" + grown.getWidth()
                                    + " for a "
                                    + (shape.height() + sizes.delta()) + "x" + (shape.width() + sizes.delta())
                                    + " input, which is no stride of " + stride));
        } else if (sizes.exact() && (map.getHeight() != h || map.getWidth() != w)) {
            problems.add(who + " declares stride " + stride + at + mapSize + " for a " + size
                    + " input, not ceil(size / stride) = " + h + "x" + w + ", which the distillers' teacher maps and"
                    + " stages are sized by (its convolutions or poolings lose a border: use ConvolutionMode.Same)");
        }
    }
}
