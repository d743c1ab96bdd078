package org.camloss.api.model;

import java.util.Objects;
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
 * Builds a {@link CamModel}: input → backbone → {@link CamHead}, in NHWC by default.
 */
public final class ModelAssembler {
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
        CamHead head = new CamHead(backbone.info().channels(), classes, format == CNN2DFormat.NHWC);
        g.addLayer(CamModel.HEAD, head, features).setOutputs(CamModel.HEAD);
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        backbone.initialize(graph);
        CamModel model = new CamModel(graph, features, backbone.info(), shape);
        model.head().setObjective(objective);
        return model;
    }
}
