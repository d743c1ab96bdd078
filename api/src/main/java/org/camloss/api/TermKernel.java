package org.camloss.api;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A hand-written forward and backward pass of one {@link LossTerm}, which the head runs <em>instead of</em>
 * differentiating the term's SameDiff definition. A kernel sees what the head computes its outputs from: the
 * feature map, the classifier weights and bias, and the targets. Optional: a term without a kernel is differentiated by
 * SameDiff. A kernel pays off when the term is many small operations on the feature map (SameDiff runs each
 * as a separate native call with its own overhead); CAM-loss's {@code cam} term has one.
 *
 * <p>The SameDiff definition stays the reference: it must compute the same value and gradients, and
 * {@code LossContract} in the testkit checks that for every term that has a kernel (random, tied and
 * all-zero maps, float and double). The head uses the SameDiff definition when kernels are switched off
 * ({@code CamHead#setTermKernels(false)}).
 *
 * <p>Implementations must be stateless or thread-confined, must not modify their inputs, and should create
 * large temporaries with {@link Input#workspace()} so that they are reused across steps.
 */
@FunctionalInterface
public interface TermKernel {
    /**
     * Computes the term's value and, when {@code input.gradients()} is set, its gradients.
     *
     * @return the batch-mean value and, if requested, d value / d features and d value / d W
     */
    Output apply(Input input);

    /**
     * What a kernel reads.
     *
     * @param features     the backbone's feature map, [N, H, W, C] when {@code channelsLast}, else [N, C, H, W]
     * @param channelsLast the layout of {@code features}
     * @param weight       the classifier weights W, [K, C]
     * @param bias         the classifier bias b, [K]
     * @param targets      target distributions q, [N, K]
     * @param gradients    whether gradients are needed (false when only the value is reported)
     * @param gradientScale factor to multiply the returned gradients by (the head's loss scale times the
     *                     term's weight; fold it into the smallest intermediate), 1 for the plain gradient
     * @param workspace    allocator for large temporaries (the layer's working-memory workspace during
     *                     training); arrays from it are valid until the kernel returns
     * @param pixelTargets the target distribution of every cell of the feature map, [N, P, K] with the cells in
     *                     row-major order (whatever {@code channelsLast} says), when a regularizer set regional
     *                     targets ({@link LossContext#pixelTargets()}); null otherwise
     */
    record Input(
            INDArray features,
            boolean channelsLast,
            INDArray weight,
            INDArray bias,
            INDArray targets,
            boolean gradients,
            double gradientScale,
            Allocator workspace,
            INDArray pixelTargets) {
        /** An input without per-cell targets. */
        public Input(
                INDArray features,
                boolean channelsLast,
                INDArray weight,
                INDArray bias,
                INDArray targets,
                boolean gradients,
                double gradientScale,
                Allocator workspace) {
            this(features, channelsLast, weight, bias, targets, gradients, gradientScale, workspace, null);
        }

        /** N, the batch size. */
        public long batch() {
            return features.size(0);
        }

        /** C, the feature channels. */
        public long channels() {
            return channelsLast ? features.size(3) : features.size(1);
        }

        /** P = H·W, the pixels of the feature map. */
        public long pixels() {
            return features.length() / (batch() * channels());
        }

        /**
         * The features with the pixels on one axis: [N, P, C] when channels-last, else [N, C, P] (a view when the
         * features are contiguous).
         */
        public INDArray pixelMatrix() {
            return channelsLast
                    ? features.reshape('c', batch(), pixels(), channels())
                    : features.reshape('c', batch(), channels(), pixels());
        }

        /** The pixel axis of {@link #pixelMatrix()}. */
        public int pixelAxis() {
            return channelsLast ? 1 : 2;
        }
    }

    /**
     * The result.
     *
     * @param value        the term's value, a batch mean
     * @param featureGrad  gradientScale · d value / d features, same shape and layout as the input features; null when no
     *                     gradients were requested or none reach the features
     * @param weightGrad   gradientScale · d value / d W, [K, C]; null when none reach W
     * @param biasGrad     gradientScale · d value / d b, [K]; null when none reach b
     */
    record Output(double value, INDArray featureGrad, INDArray weightGrad, INDArray biasGrad) {
        /** An output without a bias gradient. */
        public Output(double value, INDArray featureGrad, INDArray weightGrad) {
            this(value, featureGrad, weightGrad, null);
        }
    }

    /** Creates uninitialised arrays, possibly in a workspace. */
    @FunctionalInterface
    interface Allocator {
        INDArray create(org.nd4j.linalg.api.buffer.DataType dataType, long... shape);

        /** Plain heap-managed arrays (no workspace). */
        static Allocator detached() {
            return (type, shape) -> org.nd4j.linalg.factory.Nd4j.createUninitialized(type, shape);
        }
    }
}
