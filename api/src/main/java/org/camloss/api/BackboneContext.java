package org.camloss.api;

import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * Where a backbone adds its layers.
 *
 * @param graph          the graph under construction
 * @param input          name of the input vertex (images in {@code format})
 * @param shape          input image shape
 * @param format         data layout to use for every convolution and batch-norm layer (NHWC is the fast one on CPU)
 * @param regularization what the configured regularizers ask of the network; a backbone applies the parts it declares
 *                       in {@link Backbone#regularizations()} (residual families through
 *                       {@code Layers.residual}), and is never given a part it does not declare
 */
public record BackboneContext(
        ComputationGraphConfiguration.GraphBuilder graph,
        String input,
        InputShape shape,
        CNN2DFormat format,
        NetworkRegularization regularization) {
    public BackboneContext {
        Objects.requireNonNull(regularization, "regularization");
    }

    /** A context without network-level regularization. */
    public BackboneContext(
            ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape, CNN2DFormat format) {
        this(graph, input, shape, format, NetworkRegularization.NONE);
    }
}
