package org.camloss.runtime.train;

import java.util.List;

/**
 * What a run is about to do.
 *
 * @param name         experiment name
 * @param epochs       epochs to train
 * @param batchesPerEpoch training steps per epoch
 * @param trainSize    training examples
 * @param testSize     test examples
 * @param parameters   trainable parameter count of the model
 * @param terms        objective term names
 */
public record RunInfo(String name, int epochs, int batchesPerEpoch, int trainSize, int testSize, long parameters,
                      List<String> terms) {
}
