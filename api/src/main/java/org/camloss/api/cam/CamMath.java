package org.camloss.api.cam;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Arithmetic shared by class activation map methods, eagerly in ND4J. Shapes: activations and gradients NCHW
 * [N, C, h, w], channel weights [N, C], maps [N, h, w].
 */
public final class CamMath {
    private CamMath() {}

    /**
     * Σ_c weights[n, c] · activations[n, c] for every image: the map of channel weights, as every CAM-family method
     * forms it (pytorch-grad-cam's {@code get_cam_image}).
     *
     * @param activations [N, C, h, w]
     * @param weights     [N, C]
     * @return [N, h, w], a new array in the activations' data type
     * @throws IllegalArgumentException when the shapes do not fit
     */
    public static INDArray weightedSum(INDArray activations, INDArray weights) {
        if (activations.rank() != 4) {
            throw new IllegalArgumentException(
                    "activations must be [N, C, h, w], found " + Arrays.toString(activations.shape()));
        }
        long n = activations.size(0);
        long c = activations.size(1);
        if (weights.rank() != 2 || weights.size(0) != n || weights.size(1) != c) {
            throw new IllegalArgumentException(
                    "weights must be [N, C] = [" + n + ", " + c + "], found " + Arrays.toString(weights.shape()));
        }
        INDArray w = weights.castTo(activations.dataType()).reshape(n, c, 1, 1);
        return activations.mul(w).sum(1);
    }

    /** max(x, 0) elementwise, as a new array. */
    public static INDArray relu(INDArray x) {
        return Transforms.relu(x, true);
    }

    /**
     * The per-image, per-channel spatial sum Σ_ij x[n, c, i, j].
     *
     * @param x [N, C, h, w]
     * @return [N, C]
     */
    public static INDArray spatialSum(INDArray x) {
        return x.sum(2, 3);
    }

    /**
     * The per-image, per-channel spatial mean (global average pooling).
     *
     * @param x [N, C, h, w]
     * @return [N, C]
     */
    public static INDArray spatialMean(INDArray x) {
        return x.mean(2, 3);
    }
}
