package org.camloss.api;

import java.util.Set;

/**
 * A feature extractor: image in, feature map out. The runtime adds global average pooling and one
 * linear layer (the head) after it, so CAMs are defined for every backbone.
 */
public interface Backbone {
    /** Output channels, stride and stages. */
    BackboneInfo info();

    /**
     * Adds this backbone's layers to the graph.
     *
     * @return the name of the vertex whose output is the last feature map, after its activation, in the
     *     context's data format
     */
    String build(BackboneContext context);

    /**
     * The parts of a {@link NetworkRegularization} that {@link #build} applies when the context asks for them
     * ({@link BackboneContext#regularization()}); none by default. The runtime refuses a config whose regularizers ask
     * a backbone for a part it does not list here, naming both, before anything is built; a backbone that lists a part
     * must apply it (the contract kit checks that its training forward pass then changes).
     */
    default Set<NetworkRegularization.Kind> regularizations() {
        return Set.of();
    }

    /**
     * Called once after the whole model is built and initialised, e.g. to load pretrained parameters into
     * the layers {@link #build} added. Does nothing by default.
     */
    default void initialize(org.deeplearning4j.nn.graph.ComputationGraph graph) {}
}
