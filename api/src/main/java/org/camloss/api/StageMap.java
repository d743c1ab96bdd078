package org.camloss.api;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * One backbone stage's activations inside the head's graph, with its static shape (SameDiff does not always
 * know the shapes of derived variables when a graph is being defined).
 *
 * @param map      the activations [N, C, H, W]
 * @param channels C
 * @param height   H
 * @param width    W
 */
public record StageMap(SDVariable map, int channels, int height, int width) {}
