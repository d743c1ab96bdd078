package org.camloss.engine.head;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.camloss.api.HeadOutputs;
import org.camloss.api.Loss;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.loss.CrossEntropy;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

/**
 * The head every camloss model ends in: global average pooling, one linear layer (W [K, C], b [K]) and
 * the {@link Objective}, computed with SameDiff so that every loss term is differentiated
 * automatically. Its activations are the softmax probabilities.
 *
 * <p>The objective is not serialised: a model read back from a file has none, answers inference as usual (the
 * graph is then defined with cross-entropy, whose value nobody reads), and refuses to train until
 * {@code CamModel.setObjective} gives it one, so it never trains silently with another loss than its config names.
 */
public class CamHead extends SameDiffOutputLayer {
    /** Name of the weight parameter, [K, C]. */
    public static final String WEIGHT = "W";
    /** Name of the bias parameter, [1, K]. */
    public static final String BIAS = "b";
    /** Name of the probabilities variable. */
    public static final String PROBS = "probs";

    private int channels;
    private int classes;
    private boolean channelsLast = true;
    private String featureVertex;
    private String[] stageVertices = new String[0];
    private int[] stageChannels = new int[0];
    private int[] stageStrides = new int[0];
    private int[] packedShapes = new int[0];

    @JsonIgnore
    private transient Objective objective;

    /** For JSON deserialisation. */
    protected CamHead() {}

    /**
     * @param channels     C, the backbone's output channels
     * @param classes      K
     * @param channelsLast whether the incoming feature map is NHWC (true) or NCHW
     */
    public CamHead(int channels, int classes, boolean channelsLast) {
        this.channels = channels;
        this.classes = classes;
        this.channelsLast = channelsLast;
    }

    public int getChannels() {
        return channels;
    }

    public void setChannels(int channels) {
        this.channels = channels;
    }

    public int getClasses() {
        return classes;
    }

    public void setClasses(int classes) {
        this.classes = classes;
    }

    public boolean isChannelsLast() {
        return channelsLast;
    }

    public void setChannelsLast(boolean channelsLast) {
        this.channelsLast = channelsLast;
    }

    /** Name of the backbone's last feature-map vertex (null in models saved before it was recorded). */
    public String getFeatureVertex() {
        return featureVertex;
    }

    public void setFeatureVertex(String featureVertex) {
        this.featureVertex = featureVertex;
    }

    /** Vertex names of the backbone's declared stages, shallow to deep (empty when not recorded). */
    public String[] getStageVertices() {
        return stageVertices;
    }

    public void setStageVertices(String[] stageVertices) {
        this.stageVertices = stageVertices == null ? new String[0] : stageVertices;
    }

    /** Channels of each declared stage. */
    public int[] getStageChannels() {
        return stageChannels;
    }

    public void setStageChannels(int[] stageChannels) {
        this.stageChannels = stageChannels == null ? new int[0] : stageChannels;
    }

    /** Total stride of each declared stage. */
    public int[] getStageStrides() {
        return stageStrides;
    }

    public void setStageStrides(int[] stageStrides) {
        this.stageStrides = stageStrides == null ? new int[0] : stageStrides;
    }

    /**
     * When the head also receives the backbone's stages: the shapes (three dimensions each, in the input's
     * format) of the flattened segments of its input, the feature map first and then every stage but the last;
     * empty when the input is the feature map alone.
     */
    public int[] getPackedShapes() {
        return packedShapes;
    }

    public void setPackedShapes(int[] packedShapes) {
        this.packedShapes = packedShapes == null ? new int[0] : packedShapes;
    }

    /** Whether the head's input packs the stages after the feature map. */
    @JsonIgnore
    public boolean receivesStages() {
        return packedShapes.length > 0;
    }

    /**
     * Records the backbone's metadata in the head's configuration, so that a saved model knows its feature
     * and stage vertices.
     */
    @JsonIgnore
    public void describeBackbone(String featureVertex, org.camloss.api.BackboneInfo info) {
        this.featureVertex = featureVertex;
        int n = info.stages().size();
        stageVertices = new String[n];
        stageChannels = new int[n];
        stageStrides = new int[n];
        for (int i = 0; i < n; i++) {
            org.camloss.api.BackboneInfo.Stage s = info.stages().get(i);
            stageVertices[i] = s.vertex();
            stageChannels[i] = s.channels();
            stageStrides[i] = s.stride();
        }
    }

    /** The stages recorded by {@link #describeBackbone}. */
    @JsonIgnore
    public List<org.camloss.api.BackboneInfo.Stage> stages() {
        List<org.camloss.api.BackboneInfo.Stage> out = new java.util.ArrayList<>();
        for (int i = 0; i < stageVertices.length; i++) {
            out.add(new org.camloss.api.BackboneInfo.Stage(stageVertices[i], stageChannels[i], stageStrides[i]));
        }
        return out;
    }

    /**
     * The objective this head minimises, or, when none was set (a model read from a file), cross-entropy as a
     * stand-in that lets the graph be defined for inference; training refuses to run on it
     * ({@link #hasObjective()}).
     */
    @JsonIgnore
    public Objective objective() {
        return objective != null ? objective : INFERENCE_ONLY;
    }

    /** Whether an objective was set (always for assembled models; never for a model just read from a file). */
    @JsonIgnore
    public boolean hasObjective() {
        return objective != null;
    }

    /**
     * Sets the objective. A layer that already defined its graph must define it anew ({@code CamModel.setObjective}
     * does both).
     */
    @JsonIgnore
    public void setObjective(Objective objective) {
        this.objective = java.util.Objects.requireNonNull(objective, "objective");
    }

    /** The stand-in objective of a head without one: defines the graph for inference, never trains. */
    private static final Objective INFERENCE_ONLY = Objective.of(new CrossEntropyOnly());

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(WEIGHT, classes, channels);
        params.addBiasParam(BIAS, 1, classes);
    }

    /** PyTorch's linear-layer initialisation: W and b uniform in ±1/√C. */
    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        double bound = 1.0 / Math.sqrt(channels);
        for (INDArray p : params.values()) {
            org.nd4j.linalg.factory.Nd4j.getExecutioner()
                    .exec(
                            new org.nd4j.linalg.api.ops.random.impl.UniformDistribution(p, -bound, bound),
                            org.nd4j.linalg.factory.Nd4j.getRandom());
        }
    }

    @Override
    public SDVariable defineLayer(
            SameDiff sd, SDVariable layerInput, SDVariable labels, Map<String, SDVariable> paramTable) {
        HeadOutputs outputs;
        if (receivesStages()) {
            List<org.camloss.api.StageMap> segments = new java.util.ArrayList<>();
            long offset = 0;
            for (int i = 0; i < packedShapes.length; i += 3) {
                int a = packedShapes[i];
                int b = packedShapes[i + 1];
                int c = packedShapes[i + 2];
                long size = (long) a * b * c;
                SDVariable flat = layerInput.get(SDIndex.all(), SDIndex.interval(offset, offset + size));
                SDVariable map = flat.reshape(-1, a, b, c);
                segments.add(
                        channelsLast
                                ? new org.camloss.api.StageMap(map.permute(0, 3, 1, 2), c, a, b)
                                : new org.camloss.api.StageMap(map, a, b, c));
                offset += size;
            }
            SDVariable features = segments.get(0).map();
            List<org.camloss.api.StageMap> stages = new java.util.ArrayList<>(segments.subList(1, segments.size()));
            stages.add(segments.get(0));
            SDVariable pooled = channelsLast
                    ? layerInput
                            .get(
                                    SDIndex.all(),
                                    SDIndex.interval(0, packedShapes[0] * packedShapes[1] * packedShapes[2]))
                            .reshape(-1, packedShapes[0] * packedShapes[1], packedShapes[2])
                            .mean(1)
                    : features.mean(2, 3);
            HeadOutputs plain =
                    outputs(sd, features, pooled, paramTable.get(WEIGHT), paramTable.get(BIAS), channels, classes);
            outputs = new HeadOutputs(
                    plain.features(), plain.weight(), plain.bias(), plain.logits(), channels, classes, stages);
        } else {
            // GAP straight from NHWC: the NCHW view (a copy in SameDiff) is only computed when a term reads it.
            SDVariable features = channelsLast ? layerInput.permute(0, 3, 1, 2) : layerInput;
            SDVariable pooled = channelsLast ? layerInput.mean(1, 2) : layerInput.mean(2, 3);
            outputs = outputs(sd, features, pooled, paramTable.get(WEIGHT), paramTable.get(BIAS), channels, classes);
        }
        sd.nn().softmax(PROBS, outputs.logits());
        Objective objective = objective();
        java.util.Optional<int[]> grid = objective.pixelGrid();
        SDVariable targets = objective.hasTeacher() || grid.isPresent()
                ? labels.get(SDIndex.all(), SDIndex.interval(0, classes))
                : labels;
        // per-cell targets (cutmix with cam_target: regional) ride in the label columns right after the targets
        java.util.Optional<LossContext.PixelTargets> cells = grid.map(g -> new LossContext.PixelTargets(
                labels.get(SDIndex.all(), SDIndex.interval(classes, classes + g[0] * g[1] * classes))
                        .reshape(-1, g[0] * g[1], classes),
                g[0],
                g[1]));
        SDVariable mean = objective.define(new LossContext(sd, outputs, targets, cells), labels);
        // DL4J divides score and gradients by the minibatch size: hand it the batch sum.
        SDVariable n = sd.gather(sd.shape(layerInput), new int[] {0}, 0)
                .castTo(mean.dataType())
                .reshape();
        SDVariable loss = sd.identity("loss", mean.mul(n));
        sd.setLossVariables(loss);
        return loss;
    }

    @Override
    public String activationsVertexName() {
        return PROBS;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(classes);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        CamHeadLayer ret = new CamHeadLayer(conf, networkDataType);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        ParamInitializer init = initializer();
        Map<String, INDArray> paramTable = init.init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    /** Plain cross-entropy, the inference-only stand-in. */
    static final class CrossEntropyOnly implements Loss {
        @Override
        public List<LossTerm> define(LossContext ctx) {
            return List.of(CrossEntropy.term(ctx));
        }
    }

    /**
     * Defines GAP and the linear layer on NCHW features: logits = mean_{h,w}(F) · Wᵀ + b.
     *
     * @param features [N, C, H, W]
     * @param weight   [K, C]
     * @param bias     [1, K] or [K]
     */
    public static HeadOutputs outputs(
            SameDiff sd, SDVariable features, SDVariable weight, SDVariable bias, int channels, int classes) {
        return outputs(sd, features, features.mean(2, 3), weight, bias, channels, classes);
    }

    /** As {@link #outputs(SameDiff, SDVariable, SDVariable, SDVariable, int, int)}, given GAP(F) [N, C]. */
    static HeadOutputs outputs(
            SameDiff sd,
            SDVariable features,
            SDVariable pooled,
            SDVariable weight,
            SDVariable bias,
            int channels,
            int classes) {
        SDVariable b = bias.reshape(classes);
        SDVariable logits = sd.identity(
                "logits", sd.mmul(pooled, weight, false, true, false).add(b));
        return new HeadOutputs(features, weight, b, logits, channels, classes);
    }
}
