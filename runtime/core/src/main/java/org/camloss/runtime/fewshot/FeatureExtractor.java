package org.camloss.runtime.fewshot;

import org.camloss.api.data.DataSplit;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.train.Batches;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backbone's pooled features of a model: the global average of its last feature map, [N, C] — the vector its
 * linear head classifies — computed in inference mode (batch norm with its running statistics), in batches.
 */
public final class FeatureExtractor {
    private final CamModel model;
    private final int batchSize;

    /**
     * @param model     a trained camloss model
     * @param batchSize images per forward pass
     */
    public FeatureExtractor(CamModel model, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, found " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
    }

    /**
     * The pooled features of the given examples, in the order given.
     *
     * @param split    where the examples are
     * @param examples split indices
     * @param classes  the chosen-class index of each example (kept in the result)
     * @param listener told after each batch
     */
    public FeatureSet extract(DataSplit split, int[] examples, int[] classes, FewShotListener listener) {
        Batches batches = new Batches(split, model.inputShape(), 1, batchSize);
        float[][] rows = new float[examples.length][];
        for (int from = 0; from < examples.length; from += batchSize) {
            int to = Math.min(examples.length, from + batchSize);
            int[] idx = java.util.Arrays.copyOfRange(examples, from, to);
            INDArray pooled = pooled(batches.images(idx));
            float[][] matrix = pooled.toFloatMatrix();
            System.arraycopy(matrix, 0, rows, from, matrix.length);
            listener.onExtracted(to, examples.length);
        }
        return new FeatureSet(rows, classes.clone(), examples.clone());
    }

    /** The pooled features [n, C] of images [n, H, W, C], as floats. */
    public INDArray pooled(INDArray images) {
        INDArray features = model.forward(images).features(); // NCHW
        return features.mean(2, 3).castTo(DataType.FLOAT);
    }
}
