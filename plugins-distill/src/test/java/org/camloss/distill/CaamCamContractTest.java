package org.camloss.distill;

import static org.camloss.distill.DistillTestSupport.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.camloss.api.Choice;
import org.camloss.api.DistillerFactory;
import org.camloss.api.Params;
import org.camloss.api.TeacherSignal;
import org.camloss.api.cam.Normalization;
import org.camloss.engine.head.TeacherColumns;
import org.camloss.testkit.DistillerContract;
import org.camloss.testkit.DoublePrecision;
import org.camloss.testkit.HeadHarness;
import org.camloss.testkit.TinyNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code caam-cam}: the distiller contract, zero when the maps agree, reference values, gradient check. */
@ExtendWith(DoublePrecision.class)
class CaamCamContractTest extends DistillerContract {

    @Override
    protected DistillerFactory factory() {
        return new CaamCamDistillerFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("beta", 2.0);
    }

    private static CaamCamDistiller distiller(double beta, String normalization, double eps) {
        CaamCamDistillerFactory f = new CaamCamDistillerFactory();
        return (CaamCamDistiller)
                f.create(Params.resolve(f.params(), Map.of("beta", beta, "normalization", normalization, "eps", eps)));
    }

    @Test
    void declaresItsParametersAndSignal() {
        CaamCamDistiller d =
                (CaamCamDistiller) factory().create(Params.defaults(factory().params()));
        assertEquals(new CaamCamDistiller(1.0, Normalization.MIN_MAX, 1e-8), d);
        assertEquals(Set.of(TeacherSignal.TARGET_CAM), d.requires());
        assertEquals("caam-cam", factory().id());
    }

    // ---------------------------------------------------------------- zero when Φ(A_S) = Φ(M_T)

    /** Student features whose CAAM and its affine images are exact in float (the label array's type). */
    private static INDArray dyadicFeatures(int n, int h, int w, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return DistillTestSupport.dyadic(Nd4j.randn(DataType.DOUBLE, n, TinyNets.CHANNELS, h, w), 64);
    }

    private static HeadHarness.Result runWithCam(CaamCamDistiller d, INDArray features, INDArray teacherCam) {
        int n = (int) features.size(0);
        TeacherColumns columns =
                new TeacherColumns(TinyNets.CLASSES, (int) features.size(2), (int) features.size(3), d.requires());
        INDArray labels = columns.pack(TinyNets.oneHot(n, DataType.DOUBLE), null, teacherCam)
                .castTo(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(3);
        return DistillTestSupport.run(
                d,
                columns,
                features,
                Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS),
                Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES),
                labels);
    }

    /** Teacher CAM a_n · A_S[n] + b_n with a_n > 0: min-max normalisation makes it the student's own map. */
    private static INDArray affineOfCaam(INDArray features, boolean offset) {
        INDArray caam = features.sum(1);
        for (int i = 0; i < caam.size(0); i++) {
            INDArray row = caam.slice(i);
            row.muli(1 + 2 * i).addi(offset ? i - 1.5 : 0);
        }
        return caam;
    }

    @Test
    void zeroWhenTheTeacherCamIsAnAffineImageOfTheStudentCaam() {
        INDArray f = dyadicFeatures(3, 4, 5, 21);
        INDArray cam = affineOfCaam(f, true);
        // ε = 1e-30 (ε must be positive; this one vanishes beside any map range): the maps agree to rounding
        HeadHarness.Result exact = runWithCam(distiller(1.0, "min-max", 1e-30), f, cam);
        assertEquals(0.0, exact.terms().get("caam_cam"), 1e-12);
        // default ε: only the ε in the denominators differs, a relative 1e-8 of the map range
        HeadHarness.Result withEps = runWithCam(distiller(1.0, "min-max", 1e-8), f, cam);
        assertEquals(0.0, withEps.terms().get("caam_cam"), 1e-8);
        // max normalisation: positive scale, no offset
        HeadHarness.Result max = runWithCam(distiller(1.0, "max", 1e-30), f, affineOfCaam(f, false));
        assertEquals(0.0, max.terms().get("caam_cam"), 1e-12);
    }

    @Test
    void positiveWhenTheMapsDiffer() {
        INDArray f = dyadicFeatures(3, 4, 5, 22);
        HeadHarness.Result inverted =
                runWithCam(distiller(1.0, "min-max", 1e-8), f, f.sum(1).neg());
        assertTrue(
                inverted.terms().get("caam_cam") > 0.1,
                "term " + inverted.terms().get("caam_cam"));
        assertTrue(inverted.gradFeatures().norm2Number().doubleValue() > 0);
    }

    @Test
    void flatMapsGiveZerosNotNaN() {
        INDArray flatFeatures =
                Nd4j.ones(DataType.DOUBLE, 2, TinyNets.CHANNELS, 3, 3).muli(0.5);
        INDArray flatCam = Nd4j.ones(DataType.DOUBLE, 2, 3, 3).muli(-2);
        for (String normalization : Choice.ids(Normalization.class)) {
            CaamCamDistiller d = distiller(1.0, normalization, 1e-8);
            HeadHarness.Result both = runWithCam(d, flatFeatures, flatCam);
            // min-max: both normalise to zeros; max: CAAM 2 → 2 / (2 + ε), CAM −2 → −2 / (2 + ε)
            double expected = normalization.equals("max") ? 4.0 / (2.0 + 1e-8) : 0.0;
            assertEquals(expected, both.terms().get("caam_cam"), 1e-12, normalization + ": both maps flat");
            assertFalse(both.gradFeatures().isNaN().any(), normalization + ": NaN in the gradient");
            HeadHarness.Result teacherFlat = runWithCam(d, dyadicFeatures(2, 3, 3, 5), flatCam);
            assertTrue(Double.isFinite(teacherFlat.terms().get("caam_cam")), normalization + ": flat teacher map");
            assertFalse(teacherFlat.gradFeatures().isNaN().any(), normalization + ": NaN with a flat teacher map");
        }
    }

    // ---------------------------------------------------------------- reference values

    /** The term and d(β·term)/dF by hand, in double loops. */
    private record Reference(double term, double[] gradFeatures) {}

    private static Reference byHand(
            double[] f, double[][] teacher, int n, int c, int h, int w, double beta, Normalization kind, double eps) {
        int p = h * w;
        double term = 0;
        double[] grad = new double[f.length];
        for (int s = 0; s < n; s++) {
            double[] a = new double[p];
            for (int ch = 0; ch < c; ch++) {
                for (int q = 0; q < p; q++) {
                    a[q] += f[(s * c + ch) * p + q];
                }
            }
            Normalized na = normalize(a, kind, eps);
            Normalized nm = normalize(teacher[s], kind, eps);
            double[] g = new double[p]; // d term / d Φ(A)
            for (int q = 0; q < p; q++) {
                double diff = na.values[q] - nm.values[q];
                term += Math.abs(diff);
                g[q] = Math.signum(diff) / ((double) n * p);
            }
            double[] ga = na.backward(a, g);
            for (int ch = 0; ch < c; ch++) {
                for (int q = 0; q < p; q++) {
                    grad[(s * c + ch) * p + q] = beta * ga[q];
                }
            }
        }
        return new Reference(term / ((double) n * p), grad);
    }

    /** Φ of one map, remembering what its backward pass needs. */
    private record Normalized(
            double[] values, Normalization kind, double denominator, double low, int argLow, int argHigh) {
        /** d/dX of Σ_q g_q Φ(X)_q. */
        double[] backward(double[] x, double[] g) {
            double d = denominator;
            double[] out = new double[x.length];
            double dot = 0;
            for (int q = 0; q < x.length; q++) {
                out[q] = g[q] / d;
            }
            if (kind == Normalization.MIN_MAX) {
                // Φ_q = (X_q − min) / (max − min + ε)
                double dMin = 0;
                double dMax = 0;
                for (int q = 0; q < x.length; q++) {
                    dMin += g[q] * ((x[q] - low) - d) / (d * d);
                    dMax -= g[q] * (x[q] - low) / (d * d);
                }
                out[argLow] += dMin;
                out[argHigh] += dMax;
            } else {
                // Φ_q = X_q / (max |X| + ε)
                for (int q = 0; q < x.length; q++) {
                    dot += g[q] * x[q];
                }
                out[argHigh] -= Math.signum(x[argHigh]) * dot / (d * d);
            }
            return out;
        }
    }

    private static Normalized normalize(double[] x, Normalization kind, double eps) {
        int argMin = 0;
        int argMax = 0;
        int argAbs = 0;
        for (int q = 1; q < x.length; q++) {
            argMin = x[q] < x[argMin] ? q : argMin;
            argMax = x[q] > x[argMax] ? q : argMax;
            argAbs = Math.abs(x[q]) > Math.abs(x[argAbs]) ? q : argAbs;
        }
        double[] v = new double[x.length];
        if (kind == Normalization.MIN_MAX) {
            double d = x[argMax] - x[argMin] + eps;
            for (int q = 0; q < x.length; q++) {
                v[q] = (x[q] - x[argMin]) / d;
            }
            return new Normalized(v, kind, d, x[argMin], argMin, argMax);
        }
        double d = Math.abs(x[argAbs]) + eps;
        for (int q = 0; q < x.length; q++) {
            v[q] = x[q] / d;
        }
        return new Normalized(v, kind, d, 0, -1, argAbs);
    }

    @ParameterizedTest(name = "{0}, eps {1}")
    @CsvSource({"min-max, 1e-8", "max, 1e-8", "min-max, 0.1", "max, 0.1"})
    void matchesAHandComputationInFloat64(String normalization, double eps) {
        int n = 3;
        int c = TinyNets.CHANNELS;
        int h = 4;
        int w = 5;
        double beta = 1.7;
        Nd4j.getRandom().setSeed(42);
        INDArray f = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
        INDArray wt = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, c);
        INDArray b = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES);
        INDArray teacherCam = Nd4j.randn(DataType.DOUBLE, n, h, w).muli(3).addi(1);
        CaamCamDistiller d = distiller(beta, normalization, eps);
        TeacherColumns columns = new TeacherColumns(TinyNets.CLASSES, h, w, d.requires());
        INDArray labels = columns.pack(TinyNets.oneHot(n, DataType.DOUBLE), null, teacherCam)
                .castTo(DataType.DOUBLE);
        HeadHarness.Result r = DistillTestSupport.run(d, columns, f, wt, b, labels);

        // the teacher map as the head sees it: the label columns after the K targets
        double[][] teacher = DistillTestSupport.columns(labels, TinyNets.CLASSES, h * w);
        Reference ref = byHand(flat(f), teacher, n, c, h, w, beta, Choice.of(Normalization.class, normalization), eps);
        assertEquals(ref.term(), r.terms().get("caam_cam"), 1e-9, "term");
        assertEquals(beta * ref.term(), r.total(), 1e-9, "total = β · term");
        double[] grad = flat(r.gradFeatures());
        for (int i = 0; i < grad.length; i++) {
            assertEquals(ref.gradFeatures()[i], grad[i], 1e-9, "d total / d F[" + i + "]");
        }
        // the teacher's map is a constant and the student's classifier takes no part
        assertEquals(0.0, r.gradWeight().norm2Number().doubleValue(), 0.0, "gradient reached W");
        assertEquals(0.0, r.gradBias().norm2Number().doubleValue(), 0.0, "gradient reached b");
    }

    // ---------------------------------------------------------------- whole head

    /** With min-max Φ; the max Φ's gradient is checked against the hand computation above. */
    @Test
    void wholeHeadPassesGradientCheck() {
        Nd4j.getRandom().setSeed(8);
        INDArray cam = Nd4j.randn(DataType.DOUBLE, 3, TinyNets.SHAPE.height(), TinyNets.SHAPE.width());
        assertTrue(
                DistillTestSupport.wholeHeadPassesGradientCheck(distiller(2.0, "min-max", 1e-8), null, cam),
                "DL4J gradient check failed for caam-cam");
    }
}
