package org.camloss.api.cam;

import org.camloss.api.TermKernel;
import org.camloss.api.layers.Floats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * CAM-loss's {@code cam} term, mean |Φ(A) − Φ(M)|, with a hand-written backward pass: the same value and
 * gradients as {@link CamTerm#value}'s SameDiff definition (which stays the reference), in a handful of
 * native calls instead of about fifty.
 *
 * <p>The two maps of every pixel (the CAAM A and the target CAM M; P = H·W pixels) come from matrix products of the
 * features F in one of three ways:
 *
 * <ul>
 *   <li>NHWC features and up to {@value #ALL_CLASSES_MAX} classes: one product with [C, K+1] = [1 | Wᵀ] gives each
 *       pixel's CAAM and the CAM of every class, of which M is the q-weighted sum (the CAM is linear in the class
 *       weights; only the target classes with a non-zero weight are read); the feature gradient, and with {@link
 *       Routing#FULL} the weight gradient, is one more product of the map gradients with that matrix (with the
 *       features);
 *   <li>more classes, or NCHW features: a batched product of the features [N, P, C] (or [N, C, P], not copied) with
 *       [N, C, 2] = [1 | q·W] per sample, which costs no more with K; the feature gradient is one more batched
 *       product;
 *   <li>per-cell targets Q ({@link Input#pixelTargets()}, the regional target CAM; F seen as [N·P, C], a copy for
 *       NCHW): M of cell p is Σ_c F[n, p, c]·(Q·W)[n, p, c], one matrix product Q·W and an element-wise product with
 *       the features.
 * </ul>
 *
 * <p>Everything per pixel (normalisation, |·|, their derivatives) runs in plain Java on the 2·N·P map values, copied in
 * bulk for float ({@link Floats}). Ties in the min/max of Φ send the gradient to the first extreme pixel, as ND4J's
 * {@code reduce_min_bp}/{@code reduce_max_bp} do.
 *
 * @param routing       where the gradient flows
 * @param normalization Φ
 * @param eps           ε of Φ
 */
public record CamTermKernel(Routing routing, Normalization normalization, double eps) implements TermKernel {

    /**
     * The most classes for which every class's CAM is computed (K+1 columns per pixel). That product and its Java
     * arrays grow with K, the per-sample products much less: at ResNet-8's shapes ({@code CamTermKernelTiming 100 5
     * 128 64 7 K}, 2026-12-01) the one product took 0.67 against 1.11 ms at 10 classes, 1.0 against 1.1 ms at 32, and
     * at 100 the two were within the machine's noise of each other (2.4 against 2.2 ms; 2.7 against 4.4 ms with the
     * weight gradient), so the bound keeps the one product where it clearly wins.
     */
    static final int ALL_CLASSES_MAX = 32;

    @Override
    public Output apply(Input in) {
        long k = in.weight().size(0);
        return apply(
                in,
                in.pixelTargets() != null
                        ? new RegionalMaps(in)
                        : k <= ALL_CLASSES_MAX && in.channelsLast() ? new AllClassMaps(in) : new PerSampleMaps(in));
    }

    /** The term on the given maps (package-private so that tests can compare the ways of computing them). */
    Output apply(Input in, Maps maps) {
        long n = in.batch();
        long p = in.pixels();
        double[] v = maps.values();
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
        return maps.backward(value, grad, routing == Routing.FULL);
    }

    /** One way of computing the two maps of every pixel and of taking their gradients back to F and W. */
    abstract static class Maps {
        final Input in;
        final DataType type;
        final long n;
        final long p;
        final long c;
        final INDArray w;

        Maps(Input in) {
            this.in = in;
            type = in.features().dataType();
            n = in.batch();
            p = in.pixels();
            c = in.channels();
            w = in.weight().castTo(type);
        }

        /** The features as one [N·P, C] matrix (a copy for NCHW). */
        INDArray rows() {
            INDArray x = in.pixelMatrix();
            return in.channelsLast()
                    ? x.reshape('c', n * p, c)
                    : x.permute(0, 2, 1).dup('c').reshape('c', n * p, c);
        }

        /** The maps, interleaved per pixel as [N, P, 2]: the CAAM, then the target CAM. */
        abstract double[] values();

        /**
         * The output given the map gradients {@code grad} (interleaved as {@link #values()}).
         *
         * @param weightGrad whether the gradient reaches W ({@link Routing#FULL})
         */
        abstract Output backward(double value, double[] grad, boolean weightGrad);

        /** A new gradient of the features in their own shape and layout, from its [N·P, C] matrix {@code dxs}. */
        INDArray featureGrad(INDArray dxs) {
            INDArray dx = in.workspace().create(type, in.features().shape());
            if (in.channelsLast()) {
                dx.reshape('c', n * p, c).assign(dxs);
            } else {
                dx.assign(dxs.reshape('c', n, p, c).permute(0, 2, 1));
            }
            return dx;
        }
    }

    /** Every class's CAM and the CAAM in one product, [N·P, C]·[C, K+1] (for NHWC features: NCHW needs a copy). */
    static final class AllClassMaps extends Maps {
        private final int k;
        private final INDArray xs; // [N·P, C]
        private final INDArray basis; // [C, K+1] = [1 | Wᵀ]
        private final Targets q;

        AllClassMaps(Input in) {
            super(in);
            xs = rows();
            k = (int) w.size(0);
            basis = Nd4j.createUninitialized(type, c, k + 1);
            basis.getColumn(0).assign(1);
            basis.get(NDArrayIndex.all(), NDArrayIndex.interval(1, k + 1)).assign(w.transpose());
            q = targetsBySample(in.targets(), (int) n, k);
        }

        @Override
        double[] values() {
            INDArray all = in.workspace().create(type, n * p, k + 1);
            Nd4j.matmul(xs, basis, all, false, false, false);
            HostArray cams = HostArray.read(all);
            double[] v = new double[(int) (2 * n * p)];
            for (int i = 0; i < n * p; i++) {
                int s = (int) (i / p);
                int row = i * (k + 1);
                double m = 0;
                for (int j = 0; j < q.classes[s].length; j++) {
                    m += q.weights[s][j] * cams.get(row + 1 + q.classes[s][j]);
                }
                v[2 * i] = cams.get(row);
                v[2 * i + 1] = m;
            }
            return v;
        }

        /**
         * With G[n·P + p] = [gA[n, p] | gM[n, p]·q[n]] ([N·P, K+1]): d value / d F = G·basisᵀ ([N·P, C]: gA[n, p] +
         * gM[n, p]·(q·W)[n, c]) and d value / d W = (Gᵀ·F) without its first row ([K, C]: Σ_{n, p} gM[n, p]·q[n,
         * k]·F[n, p, c]).
         */
        @Override
        Output backward(double value, double[] grad, boolean weightGrad) {
            int rows = (int) (n * p);
            HostArray gs = HostArray.zeros(type, rows * (k + 1));
            for (int i = 0; i < rows; i++) {
                int s = (int) (i / p);
                int row = i * (k + 1);
                double gm = grad[2 * i + 1];
                gs.set(row, grad[2 * i]);
                for (int j = 0; j < q.classes[s].length; j++) {
                    gs.set(row + 1 + q.classes[s][j], gm * q.weights[s][j]);
                }
            }
            INDArray g = gs.write(rows, k + 1);
            INDArray dx;
            if (in.channelsLast()) {
                dx = in.workspace().create(type, in.features().shape());
                Nd4j.matmul(g, basis, dx.reshape('c', rows, c), false, true, false);
            } else {
                INDArray dxs = in.workspace().create(type, rows, c);
                Nd4j.matmul(g, basis, dxs, false, true, false);
                dx = featureGrad(dxs);
            }
            INDArray dW = null;
            if (weightGrad) {
                INDArray gx = in.workspace().create(type, k + 1, c);
                Nd4j.matmul(g, xs, gx, true, false, false);
                dW = gx.get(NDArrayIndex.interval(1, k + 1), NDArrayIndex.all()).dup('c');
            }
            return new Output(value, dx, dW);
        }
    }

    /**
     * Per sample, [P, C]·[C, 2] with [1 | m_n], m = q·W: a batched product whose cost does not grow with K, on the
     * features in their own layout ([N, P, C] or [N, C, P], no copy).
     */
    static final class PerSampleMaps extends Maps {
        private final INDArray q; // [N, K]
        private final INDArray mix; // [N, C, 2]
        private final INDArray x; // [N, P, C] or [N, C, P]

        PerSampleMaps(Input in) {
            super(in);
            q = in.targets().castTo(type);
            mix = Nd4j.createUninitialized(type, n, c, 2);
            mix.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0))
                    .assign(1);
            mix.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1))
                    .assign(q.mmul(w));
            x = in.pixelMatrix();
        }

        @Override
        double[] values() {
            return HostArray.read(Nd4j.matmul(x, mix, !in.channelsLast(), false, false))
                    .toDoubles();
        }

        /**
         * d value / d F[n] = dMaps[n]·mix[n]ᵀ ([P, C]; its transpose for NCHW) and d value / d W = qᵀ·dm with dm[n] =
         * gM[n]ᵀ·F[n] ([N, C]).
         */
        @Override
        Output backward(double value, double[] grad, boolean weightGrad) {
            HostArray gs = HostArray.zeros(type, grad.length);
            for (int i = 0; i < grad.length; i++) {
                gs.set(i, grad[i]);
            }
            INDArray dMaps = gs.write(n, p, 2);
            INDArray dx = in.workspace().create(type, x.shape());
            if (in.channelsLast()) {
                Nd4j.matmul(dMaps, mix, dx, false, true, false); // [N, P, C]
            } else {
                Nd4j.matmul(mix, dMaps, dx, false, true, false); // [N, C, P]
            }
            INDArray dW = null;
            if (weightGrad) {
                INDArray dCam = dMaps.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1))
                        .dup('c');
                INDArray dm = in.channelsLast()
                        ? Nd4j.matmul(dCam.reshape('c', n, 1, p), x).reshape('c', n, c)
                        : Nd4j.matmul(x, dCam.reshape('c', n, p, 1)).reshape('c', n, c);
                dW = q.transpose().mmul(dm); // [K, C]
            }
            return new Output(value, dx.reshape('c', in.features().shape()), dW);
        }
    }

    /**
     * Per-cell targets Q: M of cell p is Σ_c F[n, p, c]·(Q·W)[n, p, c]; d CAAM / d F[n, p, c] = 1 and d M[n, p] / d F[n,
     * p, c] = (Q·W)[n, p, c], so d value / d F[n, p, c] = gA[n, p] + gM[n, p]·(Q·W)[n, p, c] and d value / d W[k, c] =
     * Σ_{n, p} gM[n, p]·Q[n, p, k]·F[n, p, c].
     */
    static final class RegionalMaps extends Maps {
        private final INDArray xs; // [N·P, C]
        private final INDArray cellTargets; // [N·P, K]
        private final INDArray cellMix; // [N·P, C] = Q·W

        RegionalMaps(Input in) {
            super(in);
            xs = rows();
            long k = w.size(0);
            cellTargets = in.pixelTargets().castTo(type).dup('c').reshape('c', n * p, k);
            cellMix = cellTargets.mmul(w);
        }

        @Override
        double[] values() {
            double[] caam = HostArray.read(xs.sum(1)).toDoubles();
            double[] cam = HostArray.read(xs.mul(cellMix).sum(1)).toDoubles();
            double[] v = new double[2 * caam.length];
            for (int i = 0; i < caam.length; i++) {
                v[2 * i] = caam[i];
                v[2 * i + 1] = cam[i];
            }
            return v;
        }

        @Override
        Output backward(double value, double[] grad, boolean weightGrad) {
            int cells = grad.length / 2;
            HostArray dA = HostArray.zeros(type, cells);
            HostArray dM = HostArray.zeros(type, cells);
            for (int i = 0; i < cells; i++) {
                dA.set(i, grad[2 * i]);
                dM.set(i, grad[2 * i + 1]);
            }
            INDArray gA = dA.write(cells, 1);
            INDArray gM = dM.write(cells, 1);
            INDArray dx = featureGrad(cellMix.mulColumnVector(gM).addiColumnVector(gA));
            INDArray dW =
                    weightGrad ? cellTargets.mulColumnVector(gM).transpose().mmul(xs) : null; // [K, C]
            return new Output(value, dx, dW);
        }
    }

    /** Each sample's target classes with a non-zero weight and those weights (one class for one-hot labels). */
    private record Targets(int[][] classes, double[][] weights) {}

    private static Targets targetsBySample(INDArray targets, int n, int k) {
        HostArray t = HostArray.read(targets);
        int[][] classes = new int[n][];
        double[][] weights = new double[n][];
        for (int s = 0; s < n; s++) {
            int count = 0;
            for (int j = 0; j < k; j++) {
                count += t.get(s * k + j) != 0 ? 1 : 0;
            }
            classes[s] = new int[count];
            weights[s] = new double[count];
            for (int j = 0, at = 0; j < k; j++) {
                double q = t.get(s * k + j);
                if (q != 0) {
                    classes[s][at] = j;
                    weights[s][at++] = q;
                }
            }
        }
        return new Targets(classes, weights);
    }

    /**
     * An array's elements in C order, in a Java array of its own type: float (read and written in bulk, {@link
     * Floats}) or double (ND4J's element-wise copies; tests), so that a float model converts nothing.
     */
    private static final class HostArray {
        private final DataType type;
        private final float[] floats;
        private final double[] doubles;

        private HostArray(DataType type, float[] floats, double[] doubles) {
            this.type = type;
            this.floats = floats;
            this.doubles = doubles;
        }

        static HostArray read(INDArray a) {
            int n = (int) a.length();
            return a.dataType() == DataType.FLOAT
                    ? new HostArray(DataType.FLOAT, Floats.read(a, n), null)
                    : new HostArray(a.dataType(), null, a.reshape(n).toDoubleVector());
        }

        static HostArray zeros(DataType type, int n) {
            return type == DataType.FLOAT
                    ? new HostArray(type, new float[n], null)
                    : new HostArray(type, null, new double[n]);
        }

        double get(int i) {
            return floats != null ? floats[i] : doubles[i];
        }

        void set(int i, double v) {
            if (floats != null) {
                floats[i] = (float) v;
            } else {
                doubles[i] = v;
            }
        }

        double[] toDoubles() {
            if (doubles != null) {
                return doubles;
            }
            double[] d = new double[floats.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = floats[i];
            }
            return d;
        }

        /** A new C-order array of {@code shape} holding these values (in the workspace open during training). */
        INDArray write(long... shape) {
            if (floats == null) {
                return Nd4j.createFromArray(doubles).castTo(type).reshape('c', shape);
            }
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape);
            Floats.write(floats, a);
            return a;
        }
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
