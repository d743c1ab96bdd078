package org.camloss.distill;

import static org.camloss.distill.DistillTestSupport.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.camloss.api.DistillerFactory;
import org.camloss.api.Params;
import org.camloss.api.TeacherSignal;
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

/** {@code kd}: the distiller contract, zero for equal logits, reference values, T² scaling, gradient check. */
@ExtendWith(DoublePrecision.class)
class KdContractTest extends DistillerContract {

    @Override
    protected DistillerFactory factory() {
        return new KdDistillerFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("temperature", 2.0, "weight", 0.5);
    }

    private static KdDistiller distiller(double temperature, double weight) {
        KdDistillerFactory f = new KdDistillerFactory();
        return (KdDistiller) f.create(Params.resolve(f.params(), Map.of("temperature", temperature, "weight", weight)));
    }

    @Test
    void declaresItsParametersAndSignal() {
        KdDistiller d = (KdDistiller) factory().create(Params.defaults(factory().params()));
        assertEquals(new KdDistiller(4.0, 1.0), d);
        assertEquals(Set.of(TeacherSignal.LOGITS), d.requires());
        assertEquals("kd", factory().id());
    }

    @Test
    void temperatureOutsideItsRangeIsRejectedWithTheRule() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Params.resolve(factory().params(), Map.of("temperature", 0)));
        assertEquals("temperature: must be in [0.01, 100], found 0", e.getMessage());
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> new KdDistiller(0, 1));
        assertEquals("kd: temperature must be positive and finite, found 0.0", direct.getMessage());
    }

    // ---------------------------------------------------------------- hand computation

    /** z = GAP(F) · Wᵀ + b by hand, [N][K]. */
    private static double[][] logits(double[] f, double[] w, double[] b, int n, int c, int p, int k) {
        double[][] z = new double[n][k];
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < k; j++) {
                double acc = b[j];
                for (int ch = 0; ch < c; ch++) {
                    double pooled = 0;
                    for (int q = 0; q < p; q++) {
                        pooled += f[(s * c + ch) * p + q];
                    }
                    acc += pooled / p * w[j * c + ch];
                }
                z[s][j] = acc;
            }
        }
        return z;
    }

    private static double[] logSoftmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / t);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v / t - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            out[j] = z[j] / t - lse;
        }
        return out;
    }

    /** T² · mean_n KL(p_T ‖ p_S). */
    private static double term(double[][] zs, double[][] zt, double t) {
        double sum = 0;
        for (int s = 0; s < zs.length; s++) {
            double[] ls = logSoftmax(zs[s], t);
            double[] lt = logSoftmax(zt[s], t);
            for (int j = 0; j < ls.length; j++) {
                sum += Math.exp(lt[j]) * (lt[j] - ls[j]);
            }
        }
        return t * t * sum / zs.length;
    }

    /** d(γ · term)/dz_S = γ · T / N · (p_S − p_T). */
    private static double[][] gradLogits(double[][] zs, double[][] zt, double t, double gamma) {
        double[][] g = new double[zs.length][];
        for (int s = 0; s < zs.length; s++) {
            double[] ls = logSoftmax(zs[s], t);
            double[] lt = logSoftmax(zt[s], t);
            g[s] = new double[ls.length];
            for (int j = 0; j < ls.length; j++) {
                g[s][j] = gamma * t / zs.length * (Math.exp(ls[j]) - Math.exp(lt[j]));
            }
        }
        return g;
    }

    private record Setup(INDArray features, INDArray weight, INDArray bias, INDArray labels, TeacherColumns columns) {}

    private static Setup setup(KdDistiller d, INDArray f, INDArray w, INDArray b, INDArray teacherLogits) {
        int n = (int) f.size(0);
        TeacherColumns columns = new TeacherColumns((int) w.size(0), (int) f.size(2), (int) f.size(3), d.requires());
        INDArray targets = Nd4j.zeros(DataType.DOUBLE, n, w.size(0));
        for (int i = 0; i < n; i++) {
            targets.putScalar(i, i % w.size(0), 1.0);
        }
        return new Setup(f, w, b, columns.pack(targets, teacherLogits, null).castTo(DataType.DOUBLE), columns);
    }

    private static HeadHarness.Result run(KdDistiller d, Setup s) {
        return DistillTestSupport.run(d, s.columns(), s.features(), s.weight(), s.bias(), s.labels());
    }

    @ParameterizedTest(name = "T = {0}, gamma = {1}")
    @CsvSource({"4.0, 1.0", "2.5, 0.9", "1.0, 2.0", "0.5, 1.0"})
    void matchesAHandComputationInFloat64(double t, double gamma) {
        int n = 3;
        int c = TinyNets.CHANNELS;
        int k = TinyNets.CLASSES;
        int h = 4;
        int wd = 5;
        Nd4j.getRandom().setSeed(17);
        INDArray f = Nd4j.randn(DataType.DOUBLE, n, c, h, wd);
        INDArray w = Nd4j.randn(DataType.DOUBLE, k, c).muli(2);
        INDArray b = Nd4j.randn(DataType.DOUBLE, k);
        KdDistiller d = distiller(t, gamma);
        Setup s = setup(d, f, w, b, Nd4j.randn(DataType.DOUBLE, n, k).muli(3));
        HeadHarness.Result r = run(d, s);

        double[] fv = flat(f);
        double[] wv = flat(w);
        double[][] zs = logits(fv, wv, flat(b), n, c, h * wd, k);
        double[][] zt = DistillTestSupport.columns(s.labels(), k, k);
        double[] zh = flat(r.logits());
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                assertEquals(zs[i][j], zh[i * k + j], 1e-12, "student logit [" + i + ", " + j + "]");
            }
        }
        double expected = term(zs, zt, t);
        assertEquals(expected, r.terms().get("kd"), 1e-9, "term");
        assertEquals(gamma * expected, r.total(), 1e-9, "total = γ · term");

        // chain rule from the logits by hand: dF = dz · W / (H·W), dW = dzᵀ · GAP(F), db = Σ_n dz
        double[][] dz = gradLogits(zs, zt, t, gamma);
        int p = h * wd;
        double[] gf = flat(r.gradFeatures());
        double[] gw = flat(r.gradWeight());
        double[] gb = flat(r.gradBias());
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double e = 0;
                for (int j = 0; j < k; j++) {
                    e += dz[i][j] * wv[j * c + ch] / p;
                }
                for (int q = 0; q < p; q++) {
                    assertEquals(e, gf[(i * c + ch) * p + q], 1e-9, "d total / d F[" + i + ", " + ch + ", " + q + "]");
                }
            }
        }
        for (int j = 0; j < k; j++) {
            double eb = 0;
            for (int i = 0; i < n; i++) {
                eb += dz[i][j];
            }
            assertEquals(eb, gb[j], 1e-9, "d total / d b[" + j + "]");
            for (int ch = 0; ch < c; ch++) {
                double ew = 0;
                for (int i = 0; i < n; i++) {
                    double pooled = 0;
                    for (int q = 0; q < p; q++) {
                        pooled += fv[(i * c + ch) * p + q];
                    }
                    ew += dz[i][j] * pooled / p;
                }
                assertEquals(ew, gw[j * c + ch], 1e-9, "d total / d W[" + j + ", " + ch + "]");
            }
        }
    }

    // ---------------------------------------------------------------- zero for equal logits

    @Test
    void zeroForEqualLogitsAndPositiveOtherwise() {
        int n = 4;
        int c = TinyNets.CHANNELS;
        int k = TinyNets.CLASSES;
        Nd4j.getRandom().setSeed(23);
        // dyadic values: the student's logits are exact in double and survive the float label array unchanged
        INDArray f = DistillTestSupport.dyadic(Nd4j.randn(DataType.DOUBLE, n, c, 2, 2), 8);
        INDArray w = DistillTestSupport.dyadic(Nd4j.randn(DataType.DOUBLE, k, c), 8);
        INDArray b = DistillTestSupport.dyadic(Nd4j.randn(DataType.DOUBLE, k), 8);
        double[][] zs = logits(flat(f), flat(w), flat(b), n, c, 4, k);
        INDArray same = Nd4j.create(zs).castTo(DataType.DOUBLE);
        for (double t : new double[] {0.5, 4.0, 20.0}) {
            KdDistiller d = distiller(t, 1.0);
            HeadHarness.Result equal = run(d, setup(d, f, w, b, same));
            assertEquals(0.0, equal.terms().get("kd"), 1e-12, "T = " + t + ": term for equal logits");
            assertEquals(0.0, equal.gradFeatures().amaxNumber().doubleValue(), 1e-12, "T = " + t + ": gradient");
            HeadHarness.Result differ = run(d, setup(d, f, w, b, same.add(Nd4j.create(new double[] {0.5, -0.25, 0}))));
            assertTrue(
                    differ.terms().get("kd") > 1e-4,
                    "T = " + t + ": term for different logits " + differ.terms().get("kd"));
        }
    }

    @Test
    void stableForLargeLogitsAndSmallTemperature() {
        int n = 3;
        int k = 4;
        Nd4j.getRandom().setSeed(41);
        INDArray zs = Nd4j.randn(DataType.DOUBLE, n, k).muli(500);
        INDArray zt = Nd4j.randn(DataType.DOUBLE, n, k).muli(500);
        KdDistiller d = distiller(0.01, 1.0); // z / T up to ~1e5: exp overflows without log-softmax
        Setup s = setup(
                d, zs.reshape(n, k, 1, 1), Nd4j.eye(k).castTo(DataType.DOUBLE), Nd4j.zeros(DataType.DOUBLE, k), zt);
        double[][] teacher = DistillTestSupport.columns(s.labels(), k, k);
        double[][] student = new double[n][];
        for (int i = 0; i < n; i++) {
            student[i] = zs.getRow(i).toDoubleVector();
        }
        double expected = term(student, teacher, 0.01);
        HeadHarness.Result r = run(d, s);
        assertEquals(expected, r.terms().get("kd"), 1e-9 * expected, "term (relative)");
        assertTrue(Double.isFinite(r.gradFeatures().norm2Number().doubleValue()));
        HeadHarness.Result f32 = new HeadHarness(DataType.FLOAT)
                .runWithTeacher(
                        DistillTestSupport.distillerOnly(d, s.columns()),
                        s.features(),
                        s.weight(),
                        s.bias(),
                        s.labels());
        assertTrue(
                Double.isFinite(f32.terms().get("kd")),
                "float32 term " + f32.terms().get("kd"));
        assertEquals(expected, f32.terms().get("kd"), 1e-4 * expected, "float32 term (relative)");
        assertTrue(Double.isFinite(f32.gradFeatures().norm2Number().doubleValue()), "float32 gradient");
    }

    // ---------------------------------------------------------------- the T² factor

    /**
     * d term / d z_S with features [N, K, 1, 1], W = I and b = 0, so that the logits are the features and the
     * feature gradient is the logit gradient.
     */
    private static INDArray logitGradient(double t, INDArray studentLogits, INDArray teacherLogits) {
        int n = (int) studentLogits.size(0);
        int k = (int) studentLogits.size(1);
        KdDistiller d = distiller(t, 1.0);
        Setup s = setup(
                d,
                studentLogits.reshape(n, k, 1, 1),
                Nd4j.eye(k).castTo(DataType.DOUBLE),
                Nd4j.zeros(DataType.DOUBLE, k),
                teacherLogits);
        HeadHarness.Result r = run(d, s);
        return r.gradFeatures().reshape(n, k);
    }

    @Test
    void logitGradientIsRoughlyIndependentOfTheTemperatureForLargeT() {
        int n = 4;
        int k = 5;
        Nd4j.getRandom().setSeed(31);
        INDArray zs = Nd4j.randn(DataType.DOUBLE, n, k).muli(2);
        INDArray zt = Nd4j.randn(DataType.DOUBLE, n, k).muli(2);
        double g4 = logitGradient(4, zs, zt).norm2Number().doubleValue();
        double g8 = logitGradient(8, zs, zt).norm2Number().doubleValue();
        assertTrue(g4 > 0 && g8 > 0);
        assertEquals(1.0, g8 / g4, 0.3, "|grad| at T = 8 over T = 4 (without T² it would be about 1/4)");

        // the limit T → ∞: T · (p_S − p_T) / N → (centred (z_S − z_T)) / (K · N)
        INDArray diff = zs.sub(zt);
        INDArray limit = diff.subColumnVector(diff.mean(true, 1)).divi((double) k * n);
        INDArray g100 = logitGradient(100, zs, zt);
        double rel = g100.sub(limit).norm2Number().doubleValue()
                / limit.norm2Number().doubleValue();
        assertTrue(rel < 0.05, "at T = 100 the logit gradient is " + rel + " (relative) from its limit");
    }

    // ---------------------------------------------------------------- whole head

    /** At T = 2; other temperatures are checked against the hand computation above. */
    @Test
    void wholeHeadPassesGradientCheck() {
        Nd4j.getRandom().setSeed(9);
        INDArray zt = Nd4j.randn(DataType.DOUBLE, 3, TinyNets.CLASSES).muli(2);
        assertTrue(
                DistillTestSupport.wholeHeadPassesGradientCheck(distiller(2.0, 0.9), zt, null),
                "DL4J gradient check failed for kd");
    }
}
