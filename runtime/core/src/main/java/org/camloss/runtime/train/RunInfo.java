package org.camloss.runtime.train;

/**
 * What a run is about to do.
 *
 * @param name         experiment name
 * @param epochs       epochs to train
 * @param batchesPerEpoch training steps per epoch
 * @param trainSize    training examples
 * @param testSize     test examples
 * @param parameters   parameter count of the model (DL4J's, batch-norm running statistics included)
 */
public record RunInfo(String name, int epochs, int batchesPerEpoch, int trainSize, int testSize, long parameters) {}
