package org.camloss.api;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * Where a backbone adds its layers.
 *
 * @param graph  the graph under construction
 * @param input  name of the input vertex (images in {@code format})
 * @param shape  input image shape
 * @param format data layout to use for every convolution and batch-norm layer (NHWC is the fast one on CPU)
 */
public record BackboneContext(
        ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape, CNN2DFormat format) {}
