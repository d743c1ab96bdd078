package org.camloss.api;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What a loss term is defined from: the head's SameDiff graph, the model outputs and the targets.
 *
 * @param sameDiff the graph to add operations to
 * @param outputs  model outputs
 * @param targets  target distribution per sample, shape [N, K]: one-hot, or soft (mixup, label smoothing)
 */
public record LossContext(SameDiff sameDiff, HeadOutputs outputs, SDVariable targets) {}
