package org.camloss.api.data;

import java.util.Objects;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training batch.
 *
 * @param features images [N, H, W, C] (NHWC), normalised
 * @param targets  target distributions [N, K] (one-hot unless a regularizer softened them)
 * @param regional per-pixel targets, when a regularizer assembled the images from regions of several images and asks
 *                 for the regional target CAM (cutmix with {@code cam_target: regional}); their image average equals
 *                 {@code targets}. Empty otherwise, and dropped by a regularizer that builds a new batch from features
 *                 and targets alone.
 */
public record Batch(INDArray features, INDArray targets, Optional<RegionalTargets> regional) {
    public Batch {
        Objects.requireNonNull(regional, "regional");
    }

    /** A batch without per-pixel targets. */
    public Batch(INDArray features, INDArray targets) {
        this(features, targets, Optional.empty());
    }
}
