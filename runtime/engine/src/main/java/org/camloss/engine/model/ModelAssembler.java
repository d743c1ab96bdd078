package org.camloss.engine.model;

import org.camloss.engine.head.CamHead;
import org.camloss.engine.head.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.camloss.api.BackboneInfo;
import org.camloss.api.TeacherSignal;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.InputShape;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Builds a {@link CamModel}: input → backbone → {@link CamHead}, in NHWC by default. When a distiller of the
 * objective reads {@linkplain TeacherSignal#STAGES stages}, the head's input is the flattened feature map followed
 * by the flattened stages (the head takes one input), which the head unpacks.
 */
public final class ModelAssembler {
    /** Prefix of the vertices that pack stages into the head's input. */
    static final String PACK_PREFIX = "head_pack_";

    private long seed = 0;
    private IUpdater updater = new Sgd(0.1);
    private DataType dataType = DataType.FLOAT;
    private CNN2DFormat format = CNN2DFormat.NHWC;

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
     * Flattens the feature map and every stage but the last (which is the feature map) and concatenates them
     * into the head's single input; records the segment shapes in the head.
     */
    private String packStages(ComputationGraphConfiguration.GraphBuilder g, String features, BackboneInfo info, InputShape shape,
                              CamHead head) {
        List<BackboneInfo.Stage> all = info.stages();
        if (all.isEmpty() || !all.get(all.size() - 1).vertex().equals(features)) {
            throw new IllegalArgumentException("the backbone's last declared stage must be its feature map '"
                    + features + "', found stages " + all);
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
            g.addVertex(flat[i], new PreprocessorVertex(new CnnToFeedForwardPreProcessor(h, w, c, format)), s.vertex());
        }
        g.addVertex(PACK_PREFIX + "all", new MergeVertex(), flat);
        head.setPackedShapes(shapes);
        return PACK_PREFIX + "all";
    }

    /** Builds and initialises the model. */
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
        String features = backbone.build(new BackboneContext(g, CamModel.INPUT, shape, format));
        BackboneInfo info = backbone.info();
        CamHead head = new CamHead(info.channels(), classes, format == CNN2DFormat.NHWC);
        head.describeBackbone(features, info);
        String headInput = features;
        boolean stages = objective.distillers().stream().anyMatch(d -> d.requires().contains(TeacherSignal.STAGES));
        if (stages) {
            headInput = packStages(g, features, info, shape, head);
        }
        g.addLayer(CamModel.HEAD, head, headInput).setOutputs(CamModel.HEAD);
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        backbone.initialize(graph);
        CamModel model = new CamModel(graph, features, info, shape);
        model.head().setObjective(objective);
        return model;
    }
}
