package org.camloss.api;

import java.util.Objects;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What a loss term is defined from: the head's SameDiff graph, the model outputs and the targets.
 *
 * @param sameDiff     the graph to add operations to
 * @param outputs      model outputs
 * @param targets      target distribution per sample, shape [N, K]: one-hot, or soft (mixup, cutmix, label smoothing)
 * @param pixelTargets per-cell targets of the feature map, when a regularizer set regional targets (cutmix with
 *                     {@code cam_target: regional}, see {@link org.camloss.api.data.RegionalTargets}); empty
 *                     otherwise. Terms that build a target CAM use them instead of {@code targets}
 *                     ({@link org.camloss.api.cam.CamMaps#regionalCam(SDVariable, SDVariable, PixelTargets, int, int)}).
 */
public record LossContext(
        SameDiff sameDiff, HeadOutputs outputs, SDVariable targets, Optional<PixelTargets> pixelTargets) {
    public LossContext {
        Objects.requireNonNull(pixelTargets, "pixelTargets");
    }

    /** A context without per-cell targets. */
    public LossContext(SameDiff sameDiff, HeadOutputs outputs, SDVariable targets) {
        this(sameDiff, outputs, targets, Optional.empty());
    }

    /**
     * The target distribution of every cell of the feature map.
     *
     * @param value  [N, H·W, K], cells in row-major order (cell (i, j) at i·W + j)
     * @param height H of the feature map
     * @param width  W of the feature map
     */
    public record PixelTargets(SDVariable value, int height, int width) {
        public PixelTargets {
            Objects.requireNonNull(value, "value");
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("feature grid must be positive, found " + height + "x" + width);
            }
        }
    }
}
