package org.camloss.api;

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
 */
public record HeadOutputs(SDVariable features, SDVariable weight, SDVariable bias, SDVariable logits,
                          int channels, int classes) {
}
