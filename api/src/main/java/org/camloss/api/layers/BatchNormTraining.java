package org.camloss.api.layers;

import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A native training pass for {@link FastBatchNormLayer}'s NHWC float batch norms, provided from outside the SPI (the
 * engine's oneDNN one, {@code org.camloss.engine.conv.DnnlBatchNormTraining}) and found through
 * {@link java.util.ServiceLoader}, as {@link ConvolutionForward} is for convolutions. A plan is made once per layer and
 * {@link Geometry}. Its forward pass computes the batch mean and biased batch variance itself and writes
 * {@code y = γ (x − μ) / sqrt(σ² + ε) + β}, followed by ReLU where the geometry says so; its backward pass computes
 * {@code dx}, {@code dγ} and {@code dβ} from the statistics and the state the forward pass left in the plan's
 * workspace array (with ReLU, which outputs were positive). The layer keeps everything else: the running statistics'
 * update, other activations, NCHW, rank 2, double and inference stay on its own path.
 */
public interface BatchNormTraining {

    /** A short name for logs and provenance, e.g. {@code onednn-2.5.2}. */
    String name();

    /** A training pass for one geometry, created once and reused; empty when this provider does not handle it. */
    Optional<Plan> plan(Geometry geometry);

    /**
     * NHWC {@code [n, h, w, c]} float data, the ε added to the variance, and whether ReLU follows the normalisation.
     */
    record Geometry(long n, long h, long w, long c, float eps, boolean relu) {}

    /** One geometry's training pass. */
    interface Plan {
        /**
         * Float elements of the array that carries state from {@link #forward} to {@link #backward} (the ReLU mask; 0
         * when there is none). The caller keeps it unchanged between the two calls.
         */
        long workspaceLength();

        /**
         * Writes the batch statistics and {@code y = act(γ (x − μ) / sqrt(σ² + ε) + β)}.
         *
         * @param x the input, NHWC, C-order contiguous
         * @param gamma {@code c} contiguous scale values
         * @param beta {@code c} contiguous shift values
         * @param y receives the output, same shape as {@code x}, C-order contiguous
         * @param mean receives the batch mean, {@code c} contiguous values
         * @param var receives the biased batch variance, {@code c} contiguous values
         * @param workspace {@link #workspaceLength()} contiguous floats, or {@code null} when that is 0
         * @throws IllegalArgumentException if an array is not float or the workspace is too short
         */
        void forward(
                INDArray x, INDArray gamma, INDArray beta, INDArray y, INDArray mean, INDArray var, INDArray workspace);

        /**
         * Writes the gradients of the pass {@link #forward} made with these arguments, given {@code dy}, the gradient
         * of the loss with respect to its output {@code y} (after the ReLU).
         *
         * @param x the forward pass's input
         * @param dy the gradient with respect to the output, same shape, C-order contiguous
         * @param gamma the forward pass's scale
         * @param beta the forward pass's shift
         * @param mean the batch mean the forward pass wrote
         * @param var the batch variance the forward pass wrote
         * @param workspace the workspace the forward pass wrote
         * @param dx receives the gradient with respect to {@code x}
         * @param dGamma receives {@code c} values, the gradient with respect to γ
         * @param dBeta receives {@code c} values, the gradient with respect to β
         */
        void backward(
                INDArray x,
                INDArray dy,
                INDArray gamma,
                INDArray beta,
                INDArray mean,
                INDArray var,
                INDArray workspace,
                INDArray dx,
                INDArray dGamma,
                INDArray dBeta);

        /** What runs the pass, e.g. oneDNN's implementation names, for logs and tests. */
        String describe();
    }
}
