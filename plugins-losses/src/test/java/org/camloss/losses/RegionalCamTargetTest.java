package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.camloss.api.Params;
import org.camloss.api.TermKernel;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.CamTermKernel;
import org.camloss.api.cam.Normalization;
import org.camloss.api.cam.Routing;
import org.camloss.api.data.RegionalTargets;
import org.camloss.engine.head.Objective;
import org.camloss.testkit.DoublePrecision;
import org.camloss.testkit.HeadHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The regional CAM target of cutmix ({@code cam_target: regional}): the per-cell targets on the feature grid against a
 * hand computation, and CAM-loss's {@code cam} term with them against loops written here — value and gradients, by the
 * kernel (NCHW and NHWC) and by the SameDiff definition, for every routing.
 */
@ExtendWith(DoublePrecision.class)
class RegionalCamTargetTest {
    /**
     * An 8×8 image whose box is rows [1, 5) × columns [2, 8) on a 2×2 grid (4×4-pixel cells): the pasted image's weight
     * per cell is the share of the cell under the box: 3·2/16, 3·4/16, 1·2/16, 1·4/16.
     */
    @Test
    void boxOnTheFeatureGridByHand() {
        INDArray weights = box(8, 8, 1, 5, 2, 8);
        INDArray sources = Nd4j.createFromArray(new double[][][] {{{1, 0}, {0, 1}}}); // own class 0, pasted class 1
        INDArray cells = new RegionalTargets(weights, sources).onGrid(2, 2);
        double[] pasted = {6 / 16.0, 12 / 16.0, 2 / 16.0, 4 / 16.0};
        for (int c = 0; c < 4; c++) {
            assertEquals(pasted[c], cells.getDouble(0, c, 1), 1e-12, "cell " + c + ": pasted class");
            assertEquals(1 - pasted[c], cells.getDouble(0, c, 0), 1e-12, "cell " + c + ": own class");
        }
    }

    /**
     * A 6×6 image on a 4×4 grid (cells of 1.5 pixels): a box of rows and columns [1, 4) covers, per axis, a third of
     * cell 0 ([0, 1.5) ∩ [1, 4) = 0.5 of 1.5), all of cell 1, two thirds of cell 2 and none of cell 3; a cell's weight
     * is the product of its two axes' shares. The grid's mean equals the image's (box share 9/36).
     */
    @Test
    void boxEdgesAreAreaWeightedOnAGridThatDoesNotDivideTheImage() {
        INDArray weights = box(6, 6, 1, 4, 1, 4);
        INDArray sources = Nd4j.createFromArray(new double[][][] {{{1, 0}, {0, 1}}});
        INDArray cells = new RegionalTargets(weights, sources).onGrid(4, 4);
        double[] axis = {1 / 3.0, 1, 2 / 3.0, 0};
        double mean = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(axis[i] * axis[j], cells.getDouble(0, i * 4 + j, 1), 1e-12, "cell (" + i + ", " + j + ")");
                mean += cells.getDouble(0, i * 4 + j, 1) / 16;
            }
        }
        assertEquals(9 / 36.0, mean, 1e-12, "the box's share survives the resize");
    }

    /** Weights [1, h, w, 2] of a box of rows [y1, y2) and columns [x1, x2): source 1 inside, source 0 outside. */
    private static INDArray box(int h, int w, int y1, int y2, int x1, int x2) {
        INDArray weights = Nd4j.zeros(DataType.DOUBLE, 1, h, w, 2);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = y >= y1 && y < y2 && x >= x1 && x < x2;
                weights.putScalar(new int[] {0, y, x, in ? 1 : 0}, 1.0);
            }
        }
        return weights;
    }

    // ---- the term against loops ----

    private static final int N = 3;
    private static final int C = 4;
    private static final int H = 3;
    private static final int W = 5;
    private static final int K = 3;

    /** mean_{n,p} |Φ(A)[n,p] − Φ(M)[n,p]| with M[n,p] = Σ_c Σ_k Q[n,p,k] W[k,c] F[n,c,p], written out. */
    private static double loop(double[][][][] f, double[][] w, double[][][] q) {
        double total = 0;
        for (int n = 0; n < N; n++) {
            double[] a = new double[H * W];
            double[] m = new double[H * W];
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int p = y * W + x;
                    for (int c = 0; c < C; c++) {
                        a[p] += f[n][c][y][x];
                        for (int k = 0; k < K; k++) {
                            m[p] += q[n][p][k] * w[k][c] * f[n][c][y][x];
                        }
                    }
                }
            }
            double[] na = minMax(a);
            double[] nm = minMax(m);
            for (int p = 0; p < H * W; p++) {
                total += Math.abs(na[p] - nm[p]);
            }
        }
        return total / (N * H * W);
    }

    private static double[] minMax(double[] x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - lo) / (hi - lo + 1e-8);
        }
        return y;
    }

    private record Case(INDArray features, INDArray weight, INDArray cells, INDArray targets) {}

    private static Case randomCase(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray f = Nd4j.randn(DataType.DOUBLE, N, C, H, W);
        INDArray w = Nd4j.randn(DataType.DOUBLE, K, C);
        INDArray q = Nd4j.rand(DataType.DOUBLE, N, H * W, K).addi(0.05);
        q.divi(q.sum(true, 2));
        return new Case(f, w, q, q.mean(1));
    }

    /** The value of the kernel, of the SameDiff definition and of the loop agree, for every routing. */
    @Test
    void valueMatchesTheLoop() {
        for (long seed = 1; seed <= 3; seed++) {
            Case k = randomCase(seed);
            double expected = loop(features4(k.features()), k.weight().toDoubleMatrix(), cells(k.cells()));
            for (Routing routing : Routing.values()) {
                CamTermKernel kernel = new CamTermKernel(routing, Normalization.MIN_MAX, 1e-8);
                TermKernel.Output nchw = kernel.apply(input(k, false, true));
                TermKernel.Output nhwc = kernel.apply(input(k, true, true));
                assertEquals(expected, nchw.value(), 1e-12, routing + " kernel, NCHW");
                assertEquals(expected, nhwc.value(), 1e-12, routing + " kernel, NHWC");
                HeadHarness.Result sd = new HeadHarness(DataType.DOUBLE, false)
                        .runRegional(objective(routing), k.features(), k.weight(), bias(), k.targets(), k.cells());
                assertEquals(expected, sd.terms().get("cam"), 1e-12, routing + " SameDiff definition");
            }
            INDArray eager = CamMaps.regionalCam(k.features(), k.weight(), k.cells());
            double m00 = 0;
            for (int c = 0; c < C; c++) {
                for (int kk = 0; kk < K; kk++) {
                    m00 += k.cells().getDouble(0, 0, kk)
                            * k.weight().getDouble(kk, c)
                            * k.features().getDouble(0, c, 0, 0);
                }
            }
            assertEquals(m00, eager.getDouble(0, 0, 0), 1e-12, "eager regional CAM");
        }
    }

    /**
     * d value / d F and (routing full) d value / d W of the kernel against central differences of the loop, on every
     * feature and weight entry; ties are absent from random maps, so the loop is differentiable there.
     */
    @Test
    void gradientsMatchFiniteDifferencesOfTheLoop() {
        Case k = randomCase(7);
        double[][][][] f = features4(k.features());
        double[][] w = k.weight().toDoubleMatrix();
        double[][][] q = cells(k.cells());
        for (Routing routing : List.of(Routing.FULL, Routing.WEIGHT_DETACHED)) {
            TermKernel.Output out =
                    new CamTermKernel(routing, Normalization.MIN_MAX, 1e-8).apply(input(k, false, true));
            double h = 1e-6;
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < C; c++) {
                    for (int y = 0; y < H; y++) {
                        for (int x = 0; x < W; x++) {
                            double keep = f[n][c][y][x];
                            f[n][c][y][x] = keep + h;
                            double up = loop(f, w, q);
                            f[n][c][y][x] = keep - h;
                            double down = loop(f, w, q);
                            f[n][c][y][x] = keep;
                            assertEquals(
                                    (up - down) / (2 * h),
                                    out.featureGrad().getDouble(n, c, y, x),
                                    1e-6,
                                    routing + " d/dF[" + n + "," + c + "," + y + "," + x + "]");
                        }
                    }
                }
            }
            if (routing == Routing.FULL) {
                for (int kk = 0; kk < K; kk++) {
                    for (int c = 0; c < C; c++) {
                        double keep = w[kk][c];
                        w[kk][c] = keep + h;
                        double up = loop(f, w, q);
                        w[kk][c] = keep - h;
                        double down = loop(f, w, q);
                        w[kk][c] = keep;
                        assertEquals(
                                (up - down) / (2 * h),
                                out.weightGrad().getDouble(kk, c),
                                1e-6,
                                "d/dW[" + kk + "," + c + "]");
                    }
                }
            } else {
                assertEquals(null, out.weightGrad(), "weight-detached: no gradient reaches W");
            }
        }
    }

    /** With every cell's target its sample's, the regional term is CAM-loss's ordinary one. */
    @Test
    void uniformCellTargetsGiveTheMixedTerm() {
        Case k = randomCase(9);
        INDArray soft = k.targets();
        INDArray uniform = RegionalTargets.uniform(soft, 1, 1).onGrid(H, W);
        CamTermKernel kernel = new CamTermKernel(Routing.FULL, Normalization.MIN_MAX, 1e-8);
        TermKernel.Output regional =
                kernel.apply(input(new Case(k.features(), k.weight(), uniform, soft), false, true));
        TermKernel.Output mixed = kernel.apply(input(new Case(k.features(), k.weight(), null, soft), false, true));
        assertEquals(mixed.value(), regional.value(), 1e-12);
        assertEquals(
                0, mixed.featureGrad().sub(regional.featureGrad()).norm2Number().doubleValue(), 1e-12);
        assertEquals(
                0, mixed.weightGrad().sub(regional.weightGrad()).norm2Number().doubleValue(), 1e-12);
    }

    private static Objective objective(Routing routing) {
        CamLossFactory f = new CamLossFactory();
        return Objective.of(f.create(Params.resolve(f.params(), Map.of("routing", routing.id()))));
    }

    private static INDArray bias() {
        return Nd4j.zeros(DataType.DOUBLE, K);
    }

    private static TermKernel.Input input(Case k, boolean channelsLast, boolean gradients) {
        INDArray f = channelsLast ? k.features().permute(0, 2, 3, 1).dup('c') : k.features();
        return new TermKernel.Input(
                f,
                channelsLast,
                k.weight(),
                bias(),
                k.targets(),
                gradients,
                1,
                TermKernel.Allocator.detached(),
                k.cells());
    }

    private static double[][][][] features4(INDArray f) {
        double[][][][] out = new double[N][C][H][W];
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        out[n][c][y][x] = f.getDouble(n, c, y, x);
                    }
                }
            }
        }
        return out;
    }

    private static double[][][] cells(INDArray q) {
        double[][][] out = new double[N][H * W][K];
        for (int n = 0; n < N; n++) {
            for (int p = 0; p < H * W; p++) {
                for (int k = 0; k < K; k++) {
                    out[n][p][k] = q.getDouble(n, p, k);
                }
            }
        }
        return out;
    }
}
