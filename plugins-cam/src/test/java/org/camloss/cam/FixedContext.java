package org.camloss.cam;

import java.util.Optional;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.LinearHead;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A hand-made context for checking methods against loops: random activations [N, C, h, w], gradients, head W [K, C]
 * and b, images [N, H, W, Ci], and a linear "model" for forward passes, z(X) = flatten(X) · V + b0.
 */
final class FixedContext implements CamContext {
    final int n = 2;
    final int c = 3;
    final int h = 2;
    final int w = 3;
    final int k = 4;
    final int imgH = 4;
    final int imgW = 6;
    final int imgC = 2;
    final double[][][][] a = new double[n][c][h][w];
    final double[][][][] g = new double[n][c][h][w];
    final double[][] head = new double[k][c];
    final double[] bias = new double[k];
    final double[][][][] x = new double[n][imgH][imgW][imgC];
    final double[][] v = new double[imgH * imgW * imgC][k];
    final double[] b0 = new double[k];
    final int[] targets = {2, 1};
    int forwardPasses;

    FixedContext(long seed) {
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int z = 0; z < w; z++) {
                        a[i][ch][y][z] = r.nextGaussian();
                        g[i][ch][y][z] = r.nextGaussian() * 0.1;
                    }
                }
            }
            for (int y = 0; y < imgH; y++) {
                for (int z = 0; z < imgW; z++) {
                    for (int ch = 0; ch < imgC; ch++) {
                        x[i][y][z][ch] = r.nextGaussian();
                    }
                }
            }
        }
        for (int j = 0; j < k; j++) {
            for (int ch = 0; ch < c; ch++) {
                head[j][ch] = r.nextGaussian();
            }
            bias[j] = r.nextGaussian();
            b0[j] = r.nextGaussian();
        }
        for (double[] row : v) {
            for (int j = 0; j < k; j++) {
                row[j] = r.nextGaussian() * 0.3;
            }
        }
    }

    /** z(X) for one image. */
    double[] linearLogits(double[][][] img) {
        double[] z = b0.clone();
        int p = 0;
        for (int y = 0; y < imgH; y++) {
            for (int q = 0; q < imgW; q++) {
                for (int ch = 0; ch < imgC; ch++) {
                    for (int j = 0; j < k; j++) {
                        z[j] += img[y][q][ch] * v[p][j];
                    }
                    p++;
                }
            }
        }
        return z;
    }

    @Override
    public INDArray images() {
        return Nd4j.create(x);
    }

    @Override
    public int[] targets() {
        return targets.clone();
    }

    @Override
    public int numClasses() {
        return k;
    }

    @Override
    public String layer() {
        return "layer";
    }

    @Override
    public INDArray logits() {
        INDArray out = Nd4j.create(DataType.DOUBLE, n, k);
        for (int i = 0; i < n; i++) {
            out.putRow(i, Nd4j.create(linearLogits(x[i])));
        }
        return out;
    }

    @Override
    public INDArray activations() {
        return Nd4j.create(a);
    }

    @Override
    public INDArray gradients() {
        return Nd4j.create(g);
    }

    @Override
    public Optional<LinearHead> linearHead() {
        return Optional.of(new LinearHead(Nd4j.create(head), Nd4j.create(bias)));
    }

    @Override
    public INDArray logits(INDArray images) {
        long m = images.size(0);
        INDArray out = Nd4j.create(DataType.DOUBLE, m, k);
        for (int i = 0; i < m; i++) {
            double[][][] img = new double[imgH][imgW][imgC];
            for (int y = 0; y < imgH; y++) {
                for (int q = 0; q < imgW; q++) {
                    for (int ch = 0; ch < imgC; ch++) {
                        img[y][q][ch] = images.getDouble(i, y, q, ch);
                    }
                }
            }
            out.putRow(i, Nd4j.create(linearLogits(img)));
            forwardPasses++;
        }
        return out;
    }

    @Override
    public int batchSize() {
        return 4;
    }
}
