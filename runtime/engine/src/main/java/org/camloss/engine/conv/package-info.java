/**
 * Native kernels the engine plugs into the SPI's fast layers: {@link org.camloss.engine.conv.DnnlConvolutionBackward},
 * oneDNN's backward convolution for {@code FastConvolutionLayer} (libnd4j 1.0.0-M2.1 has none), found through
 * {@link java.util.ServiceLoader} as an {@link org.camloss.api.layers.ConvolutionBackward}.
 */
package org.camloss.engine.conv;
