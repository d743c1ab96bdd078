package org.camloss.api.layers;

import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A native backward pass for {@link FastConvolutionLayer}'s NHWC float convolutions, provided from outside the SPI
 * (the engine's oneDNN one, {@code org.camloss.engine.conv.DnnlConvolutionBackward}) and found through
 * {@link java.util.ServiceLoader}: libnd4j 1.0.0-M2.1's {@code conv2d_bp} has no oneDNN path, and its generic one
 * dominates a training step. Without a provider, or when a provider cannot plan a geometry, the layer keeps its own
 * backward pass. The implementation and its native dependency stay out of {@code camloss-api}.
 */
public interface ConvolutionBackward {

    /** A short name for logs and provenance, e.g. {@code onednn-2.5.2}. */
    String name();

    /**
     * A backward pass for one geometry, created once and reused for every step with that geometry; empty when this
     * provider does not handle it.
     */
    Optional<Plan> plan(Geometry geometry);

    /**
     * The sizes of one NHWC convolution: batch {@code n}, input {@code h × w × cin}, output {@code oh × ow × cout},
     * kernel {@code kh × kw}, strides, dilations (1 = none) and the padding on each side, in pixels.
     */
    record Geometry(
            long n,
            long h,
            long w,
            long cin,
            long oh,
            long ow,
            long cout,
            int kh,
            int kw,
            int strideH,
            int strideW,
            int dilationH,
            int dilationW,
            int padTop,
            int padLeft,
            int padBottom,
            int padRight,
            boolean bias) {}

    /** One geometry's backward pass. */
    interface Plan {
        /** Float elements of working memory {@link #backward} needs (0 when it works on the arrays themselves). */
        long scratchLength();

        /**
         * Writes the gradients of one convolution.
         *
         * @param input the layer input, NHWC, C-order contiguous
         * @param weights the weights in DL4J's layout [cout, cin, kh, kw], C-order contiguous
         * @param delta the gradient with respect to the convolution's output (before any activation), NHWC, C-order
         *     contiguous
         * @param inputGrad receives the input gradient, NHWC, C-order contiguous; or {@code null} when none is wanted
         *     (the layer's input is a network input nothing differentiates): then only the weight and bias gradients
         *     are computed
         * @param weightGrad receives the weight gradient, [cout, cin, kh, kw], C-order contiguous
         * @param biasGrad receives the bias gradient ({@code cout} contiguous values), or {@code null} without bias
         * @param scratch {@link #scratchLength()} contiguous floats of working memory, or {@code null} when that is 0
         */
        void backward(
                INDArray input,
                INDArray weights,
                INDArray delta,
                INDArray inputGrad,
                INDArray weightGrad,
                INDArray biasGrad,
                INDArray scratch);

        /** What runs the pass, e.g. oneDNN's implementation names, for logs. */
        String describe();
    }
}
