package org.camloss.runtime.train;

import java.util.Map;

/**
 * One training step.
 *
 * @param epoch        zero-based epoch
 * @param batch        zero-based batch within the epoch
 * @param batches      batches in the epoch
 * @param loss         total objective of the batch
 * @param terms        each term's unweighted value
 * @param learningRate learning rate used
 * @param imagesPerSec running throughput of this epoch
 */
public record BatchStats(
        int epoch,
        int batch,
        int batches,
        double loss,
        Map<String, Double> terms,
        double learningRate,
        double imagesPerSec) {}
