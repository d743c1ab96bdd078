package org.camloss.api;

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
     * Called once after the whole model is built and initialised, e.g. to load pretrained parameters into
     * the layers {@link #build} added. Does nothing by default.
     */
    default void initialize(org.deeplearning4j.nn.graph.ComputationGraph graph) {}
}
