package org.camloss.api.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training batch.
 *
 * @param features images [N, H, W, C], normalised
 * @param targets  target distributions [N, K] (one-hot unless a regularizer softened them)
 */
public record Batch(INDArray features, INDArray targets) {}
