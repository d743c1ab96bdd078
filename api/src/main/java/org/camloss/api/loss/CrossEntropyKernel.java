package org.camloss.api.loss;

import org.camloss.api.TermKernel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The cross-entropy term {@code -mean_n Σ_k q_nk log softmax(z_n)_k} of the head's logits
 * {@code z = GAP(F)·Wᵀ + b}, with a hand-written backward pass: the same value and gradients as
 * {@link CrossEntropy#value}'s SameDiff definition (the reference), without SameDiff. When every term of an
 * objective has a kernel the head runs no SameDiff at all in training, which also spares the first step
 * SameDiff's one-time set-up of its gradient machinery (about half a second).
 *
 * <p>GAP is a mean over the pixel axis of the features seen as [N, P, C] (NHWC) or [N, C, P] (NCHW); the
 * log-softmax and its derivative {@code softmax·Σq − q} run in plain Java on the N·K logits; the gradients are
 * {@code dW = dzᵀ·GAP(F)}, {@code db = Σ_n dz} and, for the features, {@code dz·W / P} copied to every pixel.
 */
public final class CrossEntropyKernel implements TermKernel {
    /** The kernel (stateless). */
    public static final CrossEntropyKernel INSTANCE = new CrossEntropyKernel();

    private CrossEntropyKernel() {}

    @Override
    public Output apply(Input in) {
        INDArray f = in.features();
        DataType type = f.dataType();
        long n = in.batch();
        long p = in.pixels();
        INDArray x = in.pixelMatrix();
        INDArray pooled = x.mean(in.pixelAxis()); // [N, C]
        INDArray w = in.weight().castTo(type);
        long k = w.size(0);
        INDArray logits =
                pooled.mmul(w.transpose()).addiRowVector(in.bias().castTo(type).reshape(1, k));
        double[] z = logits.reshape(n * k).toDoubleVector();
        double[] q =
                in.targets().castTo(DataType.DOUBLE).dup('c').reshape(n * k).toDoubleVector();
        double[] dz = in.gradients() ? new double[z.length] : null;
        double total = 0;
        double scale = in.gradientScale() / n;
        for (int s = 0; s < n; s++) {
            int o = (int) (s * k);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[o + j]);
            }
            double sumExp = 0;
            for (int j = 0; j < k; j++) {
                sumExp += Math.exp(z[o + j] - max);
            }
            double logSum = Math.log(sumExp);
            double sumQ = 0;
            for (int j = 0; j < k; j++) {
                total -= q[o + j] * (z[o + j] - max - logSum);
                sumQ += q[o + j];
            }
            if (dz != null) {
                for (int j = 0; j < k; j++) {
                    dz[o + j] = (Math.exp(z[o + j] - max - logSum) * sumQ - q[o + j]) * scale;
                }
            }
        }
        double value = total / n;
        if (dz == null) {
            return new Output(value, null, null, null);
        }
        INDArray dLogits = Nd4j.createFromArray(dz).castTo(type).reshape('c', n, k);
        INDArray dW = dLogits.transpose().mmul(pooled); // [K, C]
        INDArray db = dLogits.sum(0); // [K]
        INDArray dPooled = dLogits.mmul(w).muli(1.0 / p); // [N, C]
        INDArray dx = in.workspace().create(type, x.shape());
        Nd4j.exec(new BroadcastCopyOp(dx, dPooled, dx, 0, in.channelsLast() ? 2 : 1));
        return new Output(value, dx.reshape('c', f.shape()), dW, db);
    }

    @Override
    public String toString() {
        return "CrossEntropyKernel";
    }
}
