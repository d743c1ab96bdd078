package org.camloss.api.layers;

import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A native forward pass for {@link FastConvolutionLayer}'s NHWC float convolutions, provided from outside the SPI (the
 * engine's oneDNN one, {@code org.camloss.engine.conv.DnnlConvolutionForward}) and found through
 * {@link java.util.ServiceLoader}, as {@link ConvolutionBackward} is for the backward pass: libnd4j 1.0.0-M2.1's
 * oneDNN helper builds its primitive on every call, a provider's plan is built once per layer and geometry. Without
 * a provider, or when a provider cannot plan a geometry, the layer keeps libnd4j's {@code conv2d}. The pass computes
 * the convolution plus bias only (or, from {@link #plan(ConvolutionBackward.Geometry, boolean, boolean)}, that
 * followed by ReLU); the layer applies its activation as before.
 */
public interface ConvolutionForward {

    /** A short name for logs and provenance, e.g. {@code onednn-2.5.2}. */
    String name();

    /**
     * A forward pass for one geometry ({@link ConvolutionBackward.Geometry}: the same sizes, strides, dilations and
     * paddings), created once and reused for every call with that geometry; empty when this provider does not handle
     * it.
     *
     * @param training whether the pass serves training (its output may be differentiated) or only inference, which
     *     lets a provider choose an inference-only kernel
     */
    Optional<Plan> plan(ConvolutionBackward.Geometry geometry, boolean training);

    /**
     * A forward pass for one geometry whose output, with {@code relu}, is {@code max(0, conv(input, weights) + bias)}
     * (ReLU fused into the convolution, e.g. a oneDNN eltwise post-op); without {@code relu} the same as
     * {@link #plan(ConvolutionBackward.Geometry, boolean)}. {@link FastConvolutionLayer} asks for it when it runs a
     * convolution with a following batch norm folded into its weights and bias (inference only, see
     * {@link FoldedInference}), where the batch norm's activation is a plain ReLU. The arrays, layouts and errors of
     * {@link Plan#forward} are unchanged (NHWC input and output, [cout, cin, kh, kw] weights, float, C-order
     * contiguous).
     *
     * <p>The default declines a ReLU plan (empty) and otherwise delegates, so a provider written before this method
     * keeps working: the layer then runs the plain plan and applies the ReLU itself.
     *
     * @param training as in {@link #plan(ConvolutionBackward.Geometry, boolean)}
     * @param relu whether the plan applies ReLU to its output
     */
    default Optional<Plan> plan(ConvolutionBackward.Geometry geometry, boolean training, boolean relu) {
        return relu ? Optional.empty() : plan(geometry, training);
    }

    /**
     * A forward pass for one geometry whose output, with {@code sum}, is {@code conv(input, weights) + bias + output}
     * (the output array's prior contents added, e.g. a oneDNN sum post-op), followed by ReLU where {@code relu}:
     * {@code max(0, conv + bias + output)}. {@link FastConvolutionLayer} asks for it to end a residual block in its
     * convolution (inference only, see {@link FoldedInference}): the output array is first filled with the shortcut.
     * Without {@code sum} the same as {@link #plan(ConvolutionBackward.Geometry, boolean, boolean)}. Arrays, layouts
     * and errors as {@link Plan#forward}.
     *
     * <p>The default declines a sum plan (empty) and otherwise delegates, so a provider written before this method
     * keeps working: the layer then leaves the residual add and its ReLU to the graph's add vertex.
     *
     * @param sum whether the plan adds the output array's prior contents to the convolution
     */
    default Optional<Plan> plan(ConvolutionBackward.Geometry geometry, boolean training, boolean relu, boolean sum) {
        return sum ? Optional.empty() : plan(geometry, training, relu);
    }

    /** One geometry's forward pass. */
    interface Plan {
        /** Float elements of working memory {@link #forward} needs (0 when it works on the arrays themselves). */
        long scratchLength();

        /**
         * Writes {@code output = conv(input, weights) + bias} (for a sum plan, adds that to the output's prior
         * contents; for a ReLU plan, then applies ReLU).
         *
         * @param input the layer input, NHWC, C-order contiguous
         * @param weights the weights in DL4J's layout [cout, cin, kh, kw], C-order contiguous
         * @param bias {@code cout} contiguous values, or {@code null} when the geometry has no bias
         * @param output receives the output, NHWC [n, oh, ow, cout], C-order contiguous
         * @param scratch {@link #scratchLength()} contiguous floats of working memory, or {@code null} when that is 0
         * @throws IllegalArgumentException if an array is not float or the scratch is too short
         */
        void forward(INDArray input, INDArray weights, INDArray bias, INDArray output, INDArray scratch);

        /** What runs the pass, e.g. oneDNN's implementation name, for logs. */
        String describe();
    }
}
