package org.camloss.api;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The typed record of model outputs that every {@link Loss}, {@link Regularizer} and {@link Distiller}
 * receives, as variables of the head's SameDiff graph.
 *
 * @param features last backbone feature maps F, shape [N, C, H, W], after the last activation
 * @param weight   classifier weights W, shape [K, C]
 * @param bias     classifier bias b, shape [K]
 * @param logits   z = GAP(F) · Wᵀ + b, shape [N, K]
 * @param channels C
 * @param classes  K
 * @param stages   the backbone's declared {@linkplain BackboneInfo#stages() stages}, shallow to deep, each
 *                 [N, C_s, H_s, W_s] (the last is {@code features}); present only when a distiller
 *                 {@linkplain TeacherSignal#STAGES reads stages}, otherwise empty
 */
public record HeadOutputs(
        SDVariable features,
        SDVariable weight,
        SDVariable bias,
        SDVariable logits,
        int channels,
        int classes,
        List<StageMap> stages) {
    public HeadOutputs {
        stages = List.copyOf(stages);
    }

    /** Outputs without stages. */
    public HeadOutputs(
            SDVariable features, SDVariable weight, SDVariable bias, SDVariable logits, int channels, int classes) {
        this(features, weight, bias, logits, channels, classes, List.of());
    }
}
