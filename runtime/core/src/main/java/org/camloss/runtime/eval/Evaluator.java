package org.camloss.runtime.eval;

import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.Normalization;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.DatasetInfo;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.train.Batches;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Evaluates a model on a split in inference mode: top-1/top-5 accuracy, per-class accuracy, the confusion
 * matrix, mean cross-entropy, the CAM-loss value mean |Φ(CAAM) − Φ(target CAM)|, and, when the split has
 * target masks, the localization metrics of the CAAM and the target CAM.
 */
public final class Evaluator {
    private final int batchSize;

    /** @param batchSize images per forward pass */
    public Evaluator(int batchSize) {
        this.batchSize = batchSize;
    }

    /** Runs the evaluation. */
    public EvalResult evaluate(CamModel model, DataSplit split, DatasetInfo info) {
        int k = info.numClasses();
        Batches batches = new Batches(split, info.shape(), k, batchSize);
        int[] order = batches.inOrder();
        long[][] confusion = new long[k][k];
        long correct = 0;
        long top5 = 0;
        double ceSum = 0;
        double camSum = 0;
        long n = 0;
        LocalizationAccumulator loc = split.hasMasks() ? new LocalizationAccumulator() : null;
        int h = info.shape().height();
        int w = info.shape().width();
        for (int b = 0; b < batches.count(); b++) {
            int[] idx = batches.indices(order, b);
            int[] labels = batches.labels(idx);
            INDArray targets = batches.targets(idx);
            // an inference pass: batch norms folded into their convolutions (FoldedInference, inside CamModel.forward)
            CamModel.Forward fwd = model.forward(batches.images(idx));
            double[][] lp = logSoftmax(fwd.logits().castTo(DataType.DOUBLE).toDoubleMatrix());
            for (int i = 0; i < idx.length; i++) {
                int y = labels[i];
                int pred = argmax(lp[i]);
                confusion[y][pred]++;
                if (pred == y) {
                    correct++;
                }
                int higher = 0;
                for (int c = 0; c < k; c++) {
                    if (lp[i][c] > lp[i][y]) {
                        higher++;
                    }
                }
                if (higher < 5) {
                    top5++;
                }
                ceSum -= lp[i][y];
            }
            INDArray features = fwd.features();
            INDArray caam = CamMaps.caam(features);
            INDArray cam = CamMaps.cam(features, model.classifierWeight(), targets);
            INDArray diff = CamMaps.normalize(caam, Normalization.MIN_MAX, CamMaps.DEFAULT_EPS)
                    .subi(CamMaps.normalize(cam, Normalization.MIN_MAX, CamMaps.DEFAULT_EPS));
            camSum += Transforms.abs(diff, false).mean(1, 2).sumNumber().doubleValue();
            if (loc != null) {
                boolean[] masks = new boolean[idx.length * h * w];
                for (int i = 0; i < idx.length; i++) {
                    split.mask(idx[i], masks, i * h * w);
                }
                loc.add(caam, cam, masks, h, w);
            }
            n += idx.length;
        }
        double[] perClass = new double[k];
        for (int c = 0; c < k; c++) {
            long total = 0;
            for (int p = 0; p < k; p++) {
                total += confusion[c][p];
            }
            perClass[c] = total == 0 ? Double.NaN : confusion[c][c] / (double) total;
        }
        return new EvalResult(
                n,
                correct / (double) n,
                top5 / (double) n,
                ceSum / n,
                camSum / n,
                info.classes(),
                perClass,
                confusion,
                loc == null ? null : loc.summary());
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * log softmax of each row by log-sum-exp (x − max − log Σ exp(x − max)): finite at any logit, where the log of a
     * softmax that underflowed to 0 is −∞ (and a mean cross-entropy of infinity).
     */
    static double[][] logSoftmax(double[][] logits) {
        double[][] out = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            double[] z = logits[i];
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - max);
            }
            double lse = max + Math.log(sum);
            out[i] = new double[z.length];
            for (int c = 0; c < z.length; c++) {
                out[i][c] = z[c] - lse;
            }
        }
        return out;
    }
}
