/**
 * Native kernels the engine plugs into the SPI's fast layers: {@link org.camloss.engine.conv.DnnlConvolutionBackward}
 * and {@link org.camloss.engine.conv.DnnlConvolutionForward}, oneDNN's backward and forward convolution for
 * {@code FastConvolutionLayer} on primitives created once per geometry (libnd4j 1.0.0-M2.1 has no backward one and
 * rebuilds its forward one on every call), found through {@link java.util.ServiceLoader} as an
 * {@link org.camloss.api.layers.ConvolutionBackward} and an {@link org.camloss.api.layers.ConvolutionForward}; and
 * {@link org.camloss.engine.conv.DnnlBatchNormTraining}, oneDNN's batch-normalization primitives (ReLU fused) for
 * {@code FastBatchNormLayer}'s training passes, an {@link org.camloss.api.layers.BatchNormTraining}.
 */
package org.camloss.engine.conv;
