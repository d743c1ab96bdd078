package org.camloss.engine.head;

import java.nio.FloatBuffer;
import org.camloss.engine.HostMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pieces of {@link CamHeadLayer}'s inference as one matrix product ({@value CamHeadLayer#INFERENCE_PROPERTY}
 * {@code =gemm}): when it applies, the weights spread over the pixels, and the bias and softmax as a host loop.
 */
final class GemmHead {
    private GemmHead() {}

    /**
     * The largest spread weight matrix, in floats (pixels × channels × classes; 256 KB): the product costs that many
     * multiply-adds per image where pooling and the linear layer cost pixels × channels + channels × classes, so it
     * pays only while ND4J's per-call overhead, not arithmetic, dominates the head (ResNet-8 28×28×1: 7·7·64·10 =
     * 31,360; ResNet-20 32×32×3: 41,024). A larger head (e.g. 7×7×2048 features and 1000 classes: 100 million floats)
     * keeps the ops.
     */
    static final long MAX_SPREAD = 1L << 16;

    /**
     * Whether {@code layer}'s inference can run as one product: the switch is not {@code ops}, the CPU backend (an
     * array's host memory is its memory), float input, weights and bias, a feature map (not packed stage maps) that
     * is one contiguous c-order block, contiguous weights and bias, and a spread matrix of at most {@link #MAX_SPREAD}
     * floats.
     */
    static boolean applies(CamHeadLayer layer) {
        if ("ops".equals(System.getProperty(CamHeadLayer.INFERENCE_PROPERTY))) {
            return false;
        }
        INDArray in = layer.getInput();
        INDArray w = layer.getParam(CamHead.WEIGHT);
        INDArray b = layer.getParam(CamHead.BIAS);
        return HostMemory.cpu()
                && !layer.head().receivesStages()
                && in.rank() == 4
                && (layer.head().isChannelsLast() ? in.size(3) : in.size(1)) == w.size(1)
                && in.dataType() == DataType.FLOAT
                && w.dataType() == DataType.FLOAT
                && b.dataType() == DataType.FLOAT
                && in.ordering() == 'c'
                && in.elementWiseStride() == 1
                && w.ordering() == 'c'
                && w.elementWiseStride() == 1
                && b.elementWiseStride() == 1
                && in.length() / in.size(0) * w.size(0) <= MAX_SPREAD;
    }

    /**
     * S [P·C, K] with S[p·C + c, j] = W[j, c]/P (channels last) or S[c·P + p, j] = W[j, c]/P (channels first), so
     * that the feature map as a [N, P·C] matrix times S is the pixel mean times Wᵀ.
     */
    static INDArray spread(float[] w, int k, int c, long pixels, boolean channelsLast) {
        int p = (int) pixels;
        float[] s = new float[p * c * k];
        for (int j = 0; j < k; j++) {
            for (int ch = 0; ch < c; ch++) {
                float v = w[j * c + ch] / p;
                for (int q = 0; q < p; q++) {
                    int row = channelsLast ? q * c + ch : ch * p + q;
                    s[row * k + j] = v;
                }
            }
        }
        return Nd4j.create(s, new long[] {(long) p * c, k}, 'c');
    }

    /** out[i, ·] ← softmax(out[i, ·] + bias), row by row on the host ({@code out} contiguous c-order [n, k]). */
    static void biasSoftmax(INDArray out, float[] bias, int n, int k) {
        FloatBuffer o = HostMemory.floats(out, (long) n * k);
        for (int i = 0; i < n; i++) {
            int r = i * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                float z = o.get(r + j) + bias[j];
                o.put(r + j, z);
                max = Math.max(max, z);
            }
            float sum = 0;
            for (int j = 0; j < k; j++) {
                float e = (float) Math.exp(o.get(r + j) - max);
                o.put(r + j, e);
                sum += e;
            }
            for (int j = 0; j < k; j++) {
                o.put(r + j, o.get(r + j) / sum);
            }
        }
    }
}
