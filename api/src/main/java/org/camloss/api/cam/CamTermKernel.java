package org.camloss.api.cam;

import org.camloss.api.TermKernel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * CAM-loss's {@code cam} term, mean |Φ(A) − Φ(M)|, with a hand-written backward pass: the same value and
 * gradients as {@link CamTerm#value}'s SameDiff definition (which stays the reference), in a handful of
 * native calls instead of about fifty.
 *
 * <p>Both maps come from one batched matrix product of the features, seen as [N, P, C] (P = H·W pixels), with
 * [N, C, 2] = [1 | m_n], m = q·W; the feature gradient is one more batched product of the map gradients
 * [N, P, 2] with the same matrix. Everything per pixel (normalisation, |·|, their derivatives) runs in plain
 * Java on the 2·N·P map values. With per-cell targets Q ({@link Input#pixelTargets()}, the regional target CAM) the
 * CAM of cell p is Σ_c F[n, p, c]·(Q·W)[n, p, c], one matrix product Q·W and an element-wise product with the
 * features; the per-pixel part is the same. Ties in the min/max of Φ send the gradient to the first extreme pixel, as
 * ND4J's {@code reduce_min_bp}/{@code reduce_max_bp} do.
 *
 * @param routing       where the gradient flows
 * @param normalization Φ
 * @param eps           ε of Φ
 */
public record CamTermKernel(Routing routing, Normalization normalization, double eps) implements TermKernel {

    @Override
    public Output apply(Input in) {
        INDArray f = in.features();
        DataType type = f.dataType();
        long n = in.batch();
        long c = in.channels();
        long p = in.pixels();
        INDArray w = in.weight().castTo(type);
        INDArray x = in.pixelMatrix();
        boolean regional = in.pixelTargets() != null;
        // the maps, interleaved per pixel as [N, P, 2]: channel 0 the CAAM, channel 1 the target CAM
        double[] v;
        INDArray mix = null; // [N, C, 2] = [1 | q·W], per sample
        INDArray q = null; // [N, K]
        INDArray cellTargets = null; // [N·P, K], regional
        INDArray cellMix = null; // [N·P, C] = Q·W, regional
        INDArray xs = null; // [N·P, C], regional
        if (!regional) {
            q = in.targets().castTo(type);
            INDArray m = q.mmul(w); // [N, C]
            mix = Nd4j.createUninitialized(type, n, c, 2);
            mix.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0))
                    .assign(1);
            mix.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1))
                    .assign(m);
            INDArray maps = Nd4j.matmul(x, mix, in.channelsLast() ? false : true, false, false);
            v = maps.reshape(maps.length()).toDoubleVector();
        } else {
            long k = w.size(0);
            cellTargets = in.pixelTargets().castTo(type).dup('c').reshape('c', n * p, k);
            cellMix = cellTargets.mmul(w);
            xs = in.channelsLast()
                    ? x.reshape('c', n * p, c)
                    : x.permute(0, 2, 1).dup('c').reshape('c', n * p, c);
            double[] caam = xs.sum(1).toDoubleVector();
            double[] cam = xs.mul(cellMix).sum(1).toDoubleVector();
            v = new double[2 * caam.length];
            for (int i = 0; i < caam.length; i++) {
                v[2 * i] = caam[i];
                v[2 * i + 1] = cam[i];
            }
        }
        int np = (int) p;
        double[] grad = in.gradients() ? new double[v.length] : null;
        double[] a = new double[np];
        double[] cam = new double[np];
        double[] ya = new double[np];
        double[] ym = new double[np];
        double[] ga = new double[np];
        double[] gm = new double[np];
        double total = 0;
        double g = in.gradientScale() / ((double) n * p);
        for (int s = 0; s < n; s++) {
            int base = s * np * 2;
            for (int i = 0; i < np; i++) {
                a[i] = v[base + 2 * i];
                cam[i] = v[base + 2 * i + 1];
            }
            Extremes ea = normalize(a, ya);
            Extremes em = normalize(cam, ym);
            for (int i = 0; i < np; i++) {
                double d = ya[i] - ym[i];
                total += Math.abs(d);
                ga[i] = Math.signum(d) * g;
                gm[i] = -ga[i];
            }
            if (grad != null) {
                normalizeBackward(ya, ga, ea);
                if (routing != Routing.DETACHED_CAM) {
                    normalizeBackward(ym, gm, em);
                }
                for (int i = 0; i < np; i++) {
                    grad[base + 2 * i] = ga[i];
                    grad[base + 2 * i + 1] = routing == Routing.DETACHED_CAM ? 0 : gm[i];
                }
            }
        }
        double value = total / ((double) n * p);
        if (grad == null) {
            return new Output(value, null, null);
        }
        if (regional) {
            return regionalBackward(in, value, grad, x, xs, cellTargets, cellMix);
        }
        INDArray dMaps = Nd4j.createFromArray(grad).castTo(type).reshape('c', n, p, 2);
        INDArray dx = in.workspace().create(type, x.shape());
        if (in.channelsLast()) {
            Nd4j.matmul(dMaps, mix, dx, false, true, false); // [N, P, C]
        } else {
            Nd4j.matmul(mix, dMaps, dx, false, true, false); // [N, C, P]
        }
        INDArray dW = null;
        if (routing == Routing.FULL) {
            INDArray dCam = dMaps.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1))
                    .dup('c');
            INDArray dm = in.channelsLast()
                    ? Nd4j.matmul(dCam.reshape('c', n, 1, p), x).reshape('c', n, c)
                    : Nd4j.matmul(x, dCam.reshape('c', n, p, 1)).reshape('c', n, c);
            dW = q.transpose().mmul(dm); // [K, C]
        }
        return new Output(value, dx.reshape('c', f.shape()), dW);
    }

    /**
     * The gradients with per-cell targets Q: d CAAM / d F[n, c, p] = 1 and d M[n, p] / d F[n, c, p] = (Q·W)[n, p, c], so
     * d value / d F[n, p, c] = gA[n, p] + gM[n, p]·(Q·W)[n, p, c]; with {@link Routing#FULL},
     * d value / d W[k, c] = Σ_{n, p} gM[n, p]·Q[n, p, k]·F[n, c, p].
     *
     * @param grad the map gradients, interleaved [N, P, 2] (CAAM, CAM)
     * @param xs   the features [N·P, C]
     */
    private Output regionalBackward(
            Input in, double value, double[] grad, INDArray x, INDArray xs, INDArray cellTargets, INDArray cellMix) {
        DataType type = xs.dataType();
        int cells = grad.length / 2;
        double[] dA = new double[cells];
        double[] dM = new double[cells];
        for (int i = 0; i < cells; i++) {
            dA[i] = grad[2 * i];
            dM[i] = grad[2 * i + 1];
        }
        INDArray gA = Nd4j.createFromArray(dA).castTo(type).reshape(cells, 1);
        INDArray gM = Nd4j.createFromArray(dM).castTo(type).reshape(cells, 1);
        INDArray dxs = cellMix.mulColumnVector(gM).addiColumnVector(gA); // [N·P, C]
        long n = in.batch();
        long p = in.pixels();
        long c = in.channels();
        INDArray dx = in.workspace().create(type, x.shape());
        if (in.channelsLast()) {
            dx.assign(dxs.reshape('c', n, p, c));
        } else {
            dx.assign(dxs.reshape('c', n, p, c).permute(0, 2, 1));
        }
        INDArray dW = null;
        if (routing == Routing.FULL) {
            dW = cellTargets.mulColumnVector(gM).transpose().mmul(xs); // [K, C]
        }
        return new Output(value, dx.reshape('c', in.features().shape()), dW);
    }

    /** Index of the first minimum and maximum (of |x| for MAX) and the denominator of Φ. */
    private record Extremes(int lo, int hi, double denominator) {}

    /** Writes Φ(x) into y and returns what the backward pass needs. */
    private Extremes normalize(double[] x, double[] y) {
        int lo = 0;
        int hi = 0;
        if (normalization == Normalization.MIN_MAX) {
            for (int i = 1; i < x.length; i++) {
                if (x[i] < x[lo]) {
                    lo = i;
                }
                if (x[i] > x[hi]) {
                    hi = i;
                }
            }
            double min = x[lo];
            double den = x[hi] - min + eps;
            for (int i = 0; i < x.length; i++) {
                y[i] = (x[i] - min) / den;
            }
            return new Extremes(lo, hi, den);
        }
        for (int i = 1; i < x.length; i++) {
            if (Math.abs(x[i]) > Math.abs(x[hi])) {
                hi = i;
            }
        }
        double den = Math.abs(x[hi]) + eps;
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] / den;
        }
        return new Extremes(-1, hi, den);
    }

    /** Replaces dL/dΦ(x) in {@code g} by dL/dx, given y = Φ(x). */
    private void normalizeBackward(double[] y, double[] g, Extremes e) {
        double den = e.denominator();
        double sumGy = 0;
        double sumG = 0;
        for (int i = 0; i < g.length; i++) {
            sumGy += g[i] * y[i];
            sumG += g[i];
            g[i] /= den;
        }
        if (normalization == Normalization.MIN_MAX) {
            // y = (x - lo) / (hi - lo + eps): dy/dlo = (y - 1) / den, dy/dhi = -y / den
            g[e.lo()] += (sumGy - sumG) / den;
            g[e.hi()] -= sumGy / den;
        } else {
            // y = x / (|x_hi| + eps): dy/d|x_hi| = -y / den
            g[e.hi()] -= Math.signum(y[e.hi()]) * sumGy / den;
        }
    }
}
