package org.camloss.api.cam;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The classifier of a global average pooling + linear head: logits z = GAP(A) · Wᵀ + b, where A is the target
 * layer's map [N, C, h, w] and GAP its mean over h × w. The class activation map of class k is then
 * Σ_c W[k, c] · A[:, c] (Zhou et al., "Learning Deep Features for Discriminative Localization", CVPR 2016).
 *
 * @param weight W, [K, C]
 * @param bias   b, [K]
 */
public record LinearHead(INDArray weight, INDArray bias) {
    /**
     * Checks the shapes.
     *
     * @throws IllegalArgumentException when W is not [K, C] or b does not hold K values
     */
    public LinearHead {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        if (weight.rank() != 2) {
            throw new IllegalArgumentException(
                    "linear head: W must be [K, C], found " + Arrays.toString(weight.shape()));
        }
        if (bias.length() != weight.size(0)) {
            throw new IllegalArgumentException("linear head: b must hold K = " + weight.size(0) + " values, found "
                    + Arrays.toString(bias.shape()));
        }
    }

    /** K, the number of classes. */
    public int classes() {
        return (int) weight.size(0);
    }

    /** C, the channels of the pooled map. */
    public int channels() {
        return (int) weight.size(1);
    }
}
