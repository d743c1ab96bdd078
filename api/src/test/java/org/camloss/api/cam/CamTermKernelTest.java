package org.camloss.api.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.camloss.api.TermKernel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link CamTermKernel} in float (the training type: bulk host copies, its own code path) against the same kernel in
 * double (checked against the SameDiff definition of the term by the loss contract of {@code plugins-losses}), and
 * its value against a loop over the definition: L = mean over n, p of |Φ(A) − Φ(M)|, A = Σ_c F, M = Σ_c F·(q·W).
 */
class CamTermKernelTest {
    private static final int N = 6;
    private static final int H = 3;
    private static final int W = 4;
    private static final int C = 5;

    /** Features NHWC [N, H, W, C], weights [K, C], targets: one-hot, soft with zeros, and per-cell. */
    private static final class Case {
        final int k;
        final INDArray nhwc;
        final INDArray weight;
        final INDArray oneHot;
        final INDArray soft;
        final INDArray cells;

        Case(long seed, int k) {
            this.k = k;
            Nd4j.getRandom().setSeed(seed);
            nhwc = Nd4j.rand(DataType.DOUBLE, N, H, W, C);
            weight = Nd4j.randn(DataType.DOUBLE, k, C);
            oneHot = Nd4j.zeros(DataType.DOUBLE, N, k);
            soft = Nd4j.zeros(DataType.DOUBLE, N, k);
            for (int i = 0; i < N; i++) {
                oneHot.putScalar(i, (i * 3) % k, 1);
                soft.putScalar(i, i % k, 0.7); // two classes: the other weights are exactly 0
                soft.putScalar(i, (i + 1) % k, 0.3);
            }
            INDArray q = Nd4j.rand(DataType.DOUBLE, N, (long) H * W, k).addi(0.05);
            cells = q.divi(q.sum(true, 2));
        }
    }

    private static TermKernel.Input input(
            Case c, DataType type, boolean channelsLast, INDArray targets, boolean regional) {
        INDArray f = channelsLast ? c.nhwc : c.nhwc.permute(0, 3, 1, 2).dup('c');
        return new TermKernel.Input(
                f.castTo(type),
                channelsLast,
                c.weight.castTo(type),
                Nd4j.zeros(type, c.k),
                targets.castTo(type),
                true,
                N,
                Nd4j::createUninitialized,
                regional ? c.cells.castTo(type) : null);
    }

    private static TermKernel.Output apply(
            CamTermKernel kernel, Case c, DataType type, boolean channelsLast, INDArray targets, boolean regional) {
        TermKernel.Input in = input(c, type, channelsLast, targets, regional);
        if (type == DataType.DOUBLE) {
            return kernel.apply(in);
        }
        // float as in training: inside a workspace (the kernel's temporaries are workspace memory); twice, so that
        // the second call runs in the learnt workspace, and results detached before it closes
        for (int call = 0; ; call++) {
            try (MemoryWorkspace ws =
                    Nd4j.getWorkspaceManager().getAndActivateWorkspace(CamTermKernelTiming.WORKSPACE, "CAM_TEST")) {
                TermKernel.Output out = kernel.apply(in);
                if (call == 1) {
                    return new TermKernel.Output(
                            out.value(),
                            out.featureGrad().detach(),
                            out.weightGrad() == null ? null : out.weightGrad().detach(),
                            null);
                }
            }
        }
    }

    @Test
    void floatMatchesDoubleForEveryRoutingLayoutAndKindOfTarget() {
        // 4 classes: every class's CAM in one product; 40: the per-sample products
        for (int k : new int[] {4, CamTermKernel.ALL_CLASSES_MAX + 8}) {
            floatMatchesDouble(new Case(3, k));
        }
    }

    /** Up to ALL_CLASSES_MAX classes both ways of computing the maps apply: the same value and gradients. */
    @Test
    void everyClassesMapsAndPerSampleMapsAgree() {
        Case c = new Case(5, 4);
        for (Routing routing : Routing.values()) {
            CamTermKernel kernel = new CamTermKernel(routing, Normalization.MIN_MAX, 1e-8);
            for (boolean channelsLast : new boolean[] {true, false}) {
                for (INDArray targets : new INDArray[] {c.oneHot, c.soft}) {
                    String where = routing + (channelsLast ? " NHWC" : " NCHW") + ": ";
                    TermKernel.Input in = input(c, DataType.DOUBLE, channelsLast, targets, false);
                    TermKernel.Output all = kernel.apply(in, new CamTermKernel.AllClassMaps(in));
                    TermKernel.Output perSample = kernel.apply(in, new CamTermKernel.PerSampleMaps(in));
                    assertEquals(all.value(), perSample.value(), 1e-12, where + "value");
                    assertEquals(
                            0,
                            all.featureGrad()
                                    .sub(perSample.featureGrad())
                                    .amaxNumber()
                                    .doubleValue(),
                            1e-12,
                            where + "d value / d F");
                    if (routing == Routing.FULL) {
                        assertEquals(
                                0,
                                all.weightGrad()
                                        .sub(perSample.weightGrad())
                                        .amaxNumber()
                                        .doubleValue(),
                                1e-12,
                                where + "d value / d W");
                    }
                }
            }
        }
    }

    private static void floatMatchesDouble(Case c) {
        for (Routing routing : Routing.values()) {
            CamTermKernel kernel = new CamTermKernel(routing, Normalization.MIN_MAX, 1e-8);
            for (boolean channelsLast : new boolean[] {true, false}) {
                for (int t = 0; t < 3; t++) {
                    INDArray targets = t == 0 ? c.oneHot : c.soft;
                    boolean regional = t == 2;
                    String where = c.k + " classes, " + routing + (channelsLast ? " NHWC " : " NCHW ")
                            + new String[] {"one-hot", "soft", "per-cell"}[t] + ": ";
                    TermKernel.Output d = apply(kernel, c, DataType.DOUBLE, channelsLast, targets, regional);
                    TermKernel.Output f = apply(kernel, c, DataType.FLOAT, channelsLast, targets, regional);
                    assertEquals(d.value(), f.value(), 1e-5 * Math.abs(d.value()), where + "value");
                    assertClose(d.featureGrad(), f.featureGrad(), where + "d value / d F");
                    if (routing == Routing.FULL) {
                        assertClose(d.weightGrad(), f.weightGrad(), where + "d value / d W");
                    } else {
                        assertNull(f.weightGrad(), where + "no W gradient");
                    }
                }
            }
        }
    }

    @Test
    void valueIsTheMeanAbsoluteDifferenceOfTheNormalisedMaps() {
        for (int k : new int[] {4, CamTermKernel.ALL_CLASSES_MAX + 8}) {
            valueIsTheMeanAbsoluteDifference(new Case(4, k));
        }
    }

    private static void valueIsTheMeanAbsoluteDifference(Case c) {
        for (INDArray targets : new INDArray[] {c.oneHot, c.soft}) {
            INDArray m = targets.mmul(c.weight); // [N, C]
            double expected = 0;
            for (int n = 0; n < N; n++) {
                double[] a = new double[H * W];
                double[] cam = new double[H * W];
                for (int p = 0; p < H * W; p++) {
                    for (int ch = 0; ch < C; ch++) {
                        double v = c.nhwc.getDouble(n, p / W, p % W, ch);
                        a[p] += v;
                        cam[p] += v * m.getDouble(n, ch);
                    }
                }
                minMax(a);
                minMax(cam);
                for (int p = 0; p < H * W; p++) {
                    expected += Math.abs(a[p] - cam[p]);
                }
            }
            expected /= N * H * W;
            for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
                for (boolean channelsLast : new boolean[] {true, false}) {
                    double value = apply(
                                    new CamTermKernel(Routing.FULL, Normalization.MIN_MAX, 1e-8),
                                    c,
                                    type,
                                    channelsLast,
                                    targets,
                                    false)
                            .value();
                    assertEquals(
                            expected,
                            value,
                            (type == DataType.FLOAT ? 1e-5 : 1e-12) * expected,
                            c.k + " classes, " + type + (channelsLast ? " NHWC" : " NCHW"));
                }
            }
        }
    }

    private static void minMax(double[] x) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (x[i] - lo) / (hi - lo + 1e-8);
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Transforms.abs(expected).maxNumber().doubleValue();
        assertTrue(scale > 0, what + ": the reference gradient is all zero");
        double diff = Transforms.abs(expected.sub(actual.castTo(DataType.DOUBLE).reshape(expected.shape())))
                .maxNumber()
                .doubleValue();
        assertTrue(diff <= 1e-4 * scale, what + ": max difference " + diff + " of max " + scale);
    }
}
