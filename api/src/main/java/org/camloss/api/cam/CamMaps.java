package org.camloss.api.cam;

import org.camloss.api.LossContext;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Class activation maps, in SameDiff (for losses and distillers, differentiable) and eagerly in ND4J (for
 * evaluation and pictures). Shapes follow {@code docs/cam-loss.md}: features F [N, C, H, W], classifier
 * weights W [K, C], targets q [N, K], maps [N, H, W].
 */
public final class CamMaps {
    /** ε of the min-max normalisation. */
    public static final double DEFAULT_EPS = 1e-8;

    private CamMaps() {}

    /** CAAM A[n] = Σ_c F[n, c]. */
    public static SDVariable caam(SDVariable features) {
        return features.sum(1);
    }

    /**
     * Target CAM M[n] = Σ_c (q[n] · W)[c] · F[n, c]; with one-hot q this is the CAM of the labelled class,
     * with soft q the target-weighted mix of class CAMs.
     */
    public static SDVariable cam(SDVariable features, SDVariable weight, SDVariable targets, int channels) {
        SDVariable mixed = targets.mmul(weight);
        return features.mul(mixed.reshape(-1, channels, 1, 1)).sum(1);
    }

    /**
     * The regional target CAM M[n, i, j] = Σ_c (Q[n, i, j, :] · W)[c] · F[n, c, i, j] of per-cell targets Q: each
     * cell's CAM is that of its own target (see {@link org.camloss.api.data.RegionalTargets}). With every cell's target
     * equal to the sample's, this is {@link #cam(SDVariable, SDVariable, SDVariable, int)}.
     *
     * @param features F [N, C, H, W]
     * @param weight   W [K, C]
     * @param targets  Q [N, H·W, K] of the feature map's H × W cells
     * @return [N, H, W]
     */
    public static SDVariable regionalCam(
            SDVariable features, SDVariable weight, LossContext.PixelTargets targets, int channels, int classes) {
        SDVariable mixed = targets.value().reshape(-1, classes).mmul(weight); // [N·H·W, C]
        SDVariable perCell =
                mixed.reshape(-1, targets.height(), targets.width(), channels).permute(0, 3, 1, 2); // [N, C, H, W]
        return features.mul(perCell).sum(1);
    }

    /** Φ per sample over the H·W pixels of [N, H, W] maps. */
    public static SDVariable normalize(SDVariable maps, Normalization kind, double eps) {
        return switch (kind) {
            case MIN_MAX -> {
                SDVariable min = maps.min(true, 1, 2);
                SDVariable max = maps.max(true, 1, 2);
                yield maps.sub(min).div(max.sub(min).add(eps));
            }
            case MAX -> {
                SameDiff sd = maps.getSameDiff();
                SDVariable max = sd.math().abs(maps).max(true, 1, 2);
                yield maps.div(max.add(eps));
            }
        };
    }

    /** mean over n, i, j of |a − b|. */
    public static SDVariable meanAbsDifference(SDVariable a, SDVariable b) {
        return a.getSameDiff().math().abs(a.sub(b)).mean();
    }

    // ---------------------------------------------------------------- eager versions

    /** CAAM of NCHW features, [N, H, W]. */
    public static INDArray caam(INDArray features) {
        return features.sum(1);
    }

    /** Target CAM of NCHW features for soft or one-hot targets [N, K], [N, H, W]. */
    public static INDArray cam(INDArray features, INDArray weight, INDArray targets) {
        long n = features.size(0);
        long c = features.size(1);
        INDArray mixed = targets.castTo(features.dataType()).mmul(weight.castTo(features.dataType())); // [N, C]
        INDArray prod = features.mul(mixed.reshape(n, c, 1, 1));
        return prod.sum(1);
    }

    /**
     * The regional target CAM of NCHW features for per-cell targets Q [N, H·W, K] (cells row-major), [N, H, W]; see
     * {@link #regionalCam(SDVariable, SDVariable, LossContext.PixelTargets, int, int)}.
     */
    public static INDArray regionalCam(INDArray features, INDArray weight, INDArray pixelTargets) {
        long n = features.size(0);
        long c = features.size(1);
        long h = features.size(2);
        long w = features.size(3);
        long k = weight.size(0);
        if (pixelTargets.rank() != 3
                || pixelTargets.size(0) != n
                || pixelTargets.size(1) != h * w
                || pixelTargets.size(2) != k) {
            throw new IllegalArgumentException("per-cell targets must be [" + n + ", " + h * w + ", " + k + "], found "
                    + java.util.Arrays.toString(pixelTargets.shape()));
        }
        INDArray mixed = pixelTargets
                .castTo(features.dataType())
                .dup('c')
                .reshape('c', n * h * w, k)
                .mmul(weight.castTo(features.dataType())); // [N·H·W, C]
        INDArray perCell = mixed.reshape('c', n, h, w, c).permute(0, 3, 1, 2);
        return features.mul(perCell).sum(1);
    }

    /** The CAM of class {@code k} for every sample, [N, H, W]. */
    public static INDArray classCam(INDArray features, INDArray weight, int k) {
        long n = features.size(0);
        INDArray onehot = Nd4j.zeros(features.dataType(), n, weight.size(0));
        onehot.getColumn(k).assign(1);
        return cam(features, weight, onehot);
    }

    /** Φ per sample of [N, H, W] maps; returns a new array. */
    public static INDArray normalize(INDArray maps, Normalization kind, double eps) {
        return switch (kind) {
            case MIN_MAX -> {
                INDArray min = maps.min(true, 1, 2);
                INDArray max = maps.max(true, 1, 2);
                yield maps.sub(min).divi(max.sub(min).addi(eps));
            }
            case MAX -> {
                INDArray max = Transforms.abs(maps, true).max(true, 1, 2);
                yield maps.div(max.addi(eps));
            }
        };
    }
}
