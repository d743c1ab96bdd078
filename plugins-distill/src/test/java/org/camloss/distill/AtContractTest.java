package org.camloss.distill;

import static org.camloss.distill.DistillTestSupport.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camloss.api.BackboneInfo;
import org.camloss.api.DistillerFactory;
import org.camloss.api.LossTerm;
import org.camloss.api.Params;
import org.camloss.api.TeacherSignal;
import org.camloss.api.cam.Bilinear;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.head.TeacherColumns;
import org.camloss.engine.model.CamModel;
import org.camloss.testkit.DistillerContract;
import org.camloss.testkit.DoublePrecision;
import org.camloss.testkit.HeadHarness;
import org.camloss.testkit.TinyNets;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * {@code at}: the distiller contract, zero for equal attention, values and gradients against a loop
 * implementation of the authors' formula, stage pairing, resize, and DL4J's gradient check of a whole model
 * whose head receives the stages.
 */
@ExtendWith(DoublePrecision.class)
class AtContractTest extends DistillerContract {

    @Override
    protected DistillerFactory factory() {
        return new AttentionTransferDistillerFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("beta", 10.0);
    }

    private static AttentionTransferDistiller at(double p, String stages) {
        AttentionTransferDistillerFactory f = new AttentionTransferDistillerFactory();
        return (AttentionTransferDistiller)
                f.create(Params.resolve(f.params(), Map.of("beta", 1.0, "p", p, "stages", stages)));
    }

    @Test
    void declaresItsParametersAndSignal() {
        AttentionTransferDistiller d = (AttentionTransferDistiller)
                factory().create(Params.defaults(factory().params()));
        assertEquals(new AttentionTransferDistiller(1000.0, 2.0, List.of(), 1e-12), d);
        assertEquals(Set.of(TeacherSignal.STAGES), d.requires());
        assertEquals("at", factory().id());
    }

    @Test
    void stagesParameterIsParsedAndBadTextIsRefusedWithTheValidForm() {
        assertEquals(List.of(), AttentionTransferDistillerFactory.parseStages("all"));
        assertEquals(List.of(1, 2), AttentionTransferDistillerFactory.parseStages(" 1, 2 "));
        for (String bad : new String[] {"one", "1,,2", "-1", "1,1"}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> AttentionTransferDistillerFactory.parseStages(bad), bad);
            assertTrue(e.getMessage().contains("e.g. '1,2'"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- pairing

    private static BackboneInfo info(int stages) {
        List<BackboneInfo.Stage> s = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            s.add(new BackboneInfo.Stage("s" + i, 8 << i, 1 << i));
        }
        return new BackboneInfo(8 << (stages - 1), 1 << (stages - 1), s);
    }

    @Test
    void pairsStagesFromTheDeepest() {
        assertEquals(List.of(0, 1, 2), at(2, "all").pairedStudentStages(3, 3));
        assertEquals(List.of(0, 1, 2), at(2, "all").pairedStudentStages(3, 4));
        assertEquals(List.of(1, 2), at(2, "all").pairedStudentStages(3, 2));
        assertEquals(List.of(2), at(2, "2").pairedStudentStages(3, 4));
        at(2, "all").check(info(3), info(4));
        at(2, "all").check(info(3), info(2));
        at(2, "1,2").check(info(3), info(2));
    }

    @Test
    void checkNamesStagesThatDoNotExistOrHaveNoPartner() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> at(2, "3").check(info(3), info(3)));
        assertTrue(
                e.getMessage().contains("no stage 3")
                        && e.getMessage().contains("indices 0..2")
                        && e.getMessage().contains("s0 (8 ch, stride 1)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> at(2, "0,2").check(info(3), info(2)));
        assertTrue(
                e.getMessage().contains("student stage 0 has no teacher partner")
                        && e.getMessage().contains("valid student indices 1..2"),
                e.getMessage());
    }

    // ---------------------------------------------------------------- reference (the authors' formula, in loops)

    /** Q = mean_c |A|^p for one sample, [H·W]. */
    private static double[] attention(double[] a, int sample, int c, int h, int w, double p) {
        double[] q = new double[h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h * w; i++) {
                q[i] += Math.pow(Math.abs(a[((sample * c) + ch) * h * w + i]), p) / c;
            }
        }
        return q;
    }

    private static double[] normalized(double[] q, double eps) {
        double s = 0;
        for (double v : q) {
            s += v * v;
        }
        double norm = Math.sqrt(s) + eps;
        double[] out = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            out[i] = q[i] / norm;
        }
        return out;
    }

    /** ½ mean_{n,i} (q_S − q_T)² of one stage pair; the teacher map resized to the student's size first. */
    static double referencePair(INDArray student, INDArray teacher, double p, double eps) {
        int n = (int) student.size(0);
        int cs = (int) student.size(1);
        int h = (int) student.size(2);
        int w = (int) student.size(3);
        int ct = (int) teacher.size(1);
        int th = (int) teacher.size(2);
        int tw = (int) teacher.size(3);
        double[] s = flat(student);
        double[] t = flat(teacher);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] qs = normalized(attention(s, i, cs, h, w, p), eps);
            double[] rawT = attention(t, i, ct, th, tw, p);
            if (th != h || tw != w) {
                float[] f = new float[rawT.length];
                for (int k = 0; k < f.length; k++) {
                    f[k] = (float) rawT[k];
                }
                float[] r = Bilinear.resize(f, th, tw, h, w);
                rawT = new double[r.length];
                for (int k = 0; k < r.length; k++) {
                    rawT[k] = r[k];
                }
            }
            double[] qt = normalized(rawT, eps);
            for (int k = 0; k < h * w; k++) {
                sum += (qs[k] - qt[k]) * (qs[k] - qt[k]);
            }
        }
        return 0.5 * sum / (n * h * w);
    }

    /** A student with stage0 [n,2,8,10] and features [n,C,4,5], a teacher with the given stage shapes. */
    private record Case(
            INDArray stage0, INDArray features, List<INDArray> teacher, TeacherColumns columns, INDArray labels) {}

    private static Case randomCase(AttentionTransferDistiller d, long seed, int[]... teacherShapes) {
        Nd4j.getRandom().setSeed(seed);
        int n = 3;
        INDArray stage0 = Nd4j.randn(DataType.DOUBLE, n, 2, 8, 10);
        INDArray features = Nd4j.randn(DataType.DOUBLE, n, TinyNets.CHANNELS, 4, 5);
        List<INDArray> teacher = new ArrayList<>();
        List<TeacherColumns.StageShape> shapes = new ArrayList<>();
        for (int[] s : teacherShapes) {
            // values exact in float: the label array is float
            teacher.add(DistillTestSupport.dyadic(Nd4j.randn(DataType.DOUBLE, n, s[0], s[1], s[2]), 256));
            shapes.add(new TeacherColumns.StageShape(s[0], s[1], s[2]));
        }
        TeacherColumns columns = new TeacherColumns(TinyNets.CLASSES, 4, 5, d.requires(), shapes);
        INDArray labels = columns.pack(TinyNets.oneHot(n, DataType.DOUBLE), null, null, teacher)
                .castTo(DataType.DOUBLE);
        return new Case(stage0, features, teacher, columns, labels);
    }

    private static HeadHarness.Result run(AttentionTransferDistiller d, Case c) {
        return new HeadHarness(DataType.DOUBLE)
                .runWithStages(
                        DistillTestSupport.distillerOnly(d, c.columns()),
                        c.features(),
                        List.of(c.stage0()),
                        Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS),
                        Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES),
                        c.labels());
    }

    @ParameterizedTest(name = "p={0}, stages={1}")
    @CsvSource({"2, all", "3, all", "1, all", "2, 1", "2, 0"})
    void termMatchesTheLoopReference(double p, String stages) {
        AttentionTransferDistiller d = at(p, stages);
        Case c = randomCase(d, 11, new int[] {3, 8, 10}, new int[] {6, 4, 5});
        double expected = 0;
        for (int i : d.pairedStudentStages(2, 2)) {
            INDArray s = i == 0 ? c.stage0() : c.features();
            expected += referencePair(s, c.teacher().get(i), p, 1e-12);
        }
        double got = run(d, c).terms().get(AttentionTransferDistiller.TERM);
        assertTrue(expected > 1e-4, "degenerate case");
        assertEquals(expected, got, 1e-10 * Math.max(1, expected));
    }

    @Test
    void teacherMapsOfAnotherSizeAreResizedBilinearly() {
        AttentionTransferDistiller d = at(2, "all");
        // teacher stages at twice (16x20) and half-odd (3x3) the student's sizes
        Case c = randomCase(d, 12, new int[] {5, 16, 20}, new int[] {7, 3, 3});
        double expected = referencePair(c.stage0(), c.teacher().get(0), 2, 1e-12)
                + referencePair(c.features(), c.teacher().get(1), 2, 1e-12);
        assertEquals(expected, run(d, c).terms().get(AttentionTransferDistiller.TERM), 1e-6 * expected);
    }

    @Test
    void pairsFromTheDeepestWhenTheTeacherHasMoreStages() {
        AttentionTransferDistiller d = at(2, "all");
        Case c = randomCase(d, 13, new int[] {2, 16, 20}, new int[] {3, 8, 10}, new int[] {6, 4, 5});
        double expected = referencePair(c.stage0(), c.teacher().get(1), 2, 1e-12)
                + referencePair(c.features(), c.teacher().get(2), 2, 1e-12);
        assertEquals(expected, run(d, c).terms().get(AttentionTransferDistiller.TERM), 1e-10);
    }

    @Test
    void zeroWhenTheAttentionMapsAreEqualWhateverTheChannelsAndScale() {
        AttentionTransferDistiller d = at(2, "all");
        Nd4j.getRandom().setSeed(14);
        int n = 2;
        INDArray stage0 = DistillTestSupport.dyadic(Nd4j.randn(DataType.DOUBLE, n, 2, 8, 10), 64);
        INDArray features = DistillTestSupport.dyadic(Nd4j.randn(DataType.DOUBLE, n, TinyNets.CHANNELS, 4, 5), 64);
        // teacher: the same maps with every channel repeated (other channel count, same channel mean) and scaled by 2
        INDArray t0 = Nd4j.concat(1, stage0, stage0).mul(2);
        INDArray t1 = Nd4j.concat(1, features, features, features).mul(-2);
        TeacherColumns columns = new TeacherColumns(
                TinyNets.CLASSES,
                4,
                5,
                d.requires(),
                List.of(
                        new TeacherColumns.StageShape(4, 8, 10),
                        new TeacherColumns.StageShape(3 * TinyNets.CHANNELS, 4, 5)));
        INDArray labels = columns.pack(TinyNets.oneHot(n, DataType.DOUBLE), null, null, List.of(t0, t1))
                .castTo(DataType.DOUBLE);
        HeadHarness.Result r = new HeadHarness(DataType.DOUBLE)
                .runWithStages(
                        DistillTestSupport.distillerOnly(d, columns),
                        features,
                        List.of(stage0),
                        Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS),
                        Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES),
                        labels);
        assertEquals(0.0, r.terms().get(AttentionTransferDistiller.TERM), 1e-15);
        assertEquals(0.0, r.gradStages().get(0).amaxNumber().doubleValue(), 1e-12);
        assertEquals(0.0, r.gradFeatures().amaxNumber().doubleValue(), 1e-12);
    }

    @Test
    void gradientsMatchFiniteDifferencesOfTheReference() {
        AttentionTransferDistiller d = at(2, "all");
        Case c = randomCase(d, 15, new int[] {3, 8, 10}, new int[] {6, 4, 5});
        HeadHarness.Result r = run(d, c);
        assertTrue(
                r.gradWeight().amaxNumber().doubleValue() == 0
                        && r.gradBias().amaxNumber().doubleValue() == 0,
                "the attention term must not reach the classifier");
        double h = 1e-6;
        INDArray[] inputs = {c.stage0(), c.features()};
        INDArray[] grads = {r.gradStages().get(0), r.gradFeatures()};
        for (int which = 0; which < 2; which++) {
            double[] g = flat(grads[which]);
            for (int k = 0; k < g.length; k += 7) {
                INDArray plus = inputs[which].dup();
                INDArray minus = inputs[which].dup();
                plus.data().put(k, plus.data().getDouble(k) + h);
                minus.data().put(k, minus.data().getDouble(k) - h);
                double fp = which == 0
                        ? referencePair(plus, c.teacher().get(0), 2, 1e-12)
                                + referencePair(c.features(), c.teacher().get(1), 2, 1e-12)
                        : referencePair(c.stage0(), c.teacher().get(0), 2, 1e-12)
                                + referencePair(plus, c.teacher().get(1), 2, 1e-12);
                double fm = which == 0
                        ? referencePair(minus, c.teacher().get(0), 2, 1e-12)
                                + referencePair(c.features(), c.teacher().get(1), 2, 1e-12)
                        : referencePair(c.stage0(), c.teacher().get(0), 2, 1e-12)
                                + referencePair(minus, c.teacher().get(1), 2, 1e-12);
                double numeric = (fp - fm) / (2 * h);
                assertEquals(
                        numeric,
                        g[k],
                        1e-6 * Math.max(1e-3, Math.abs(numeric)) + 1e-9,
                        (which == 0 ? "stage0" : "features") + "[" + k + "]");
            }
        }
    }

    // ---------------------------------------------------------------- the whole model

    @Test
    void wholeModelWithPackedStagesPassesDl4jGradientCheck() {
        AttentionTransferDistiller d = new AttentionTransferDistiller(5.0, 2.0, List.of(), 1e-12);
        int n = 3;
        // teacher stages: [3 ch, 6x6] (the student's conv1 size) and [5 ch, 2x2] (resized to conv2's 3x3)
        List<TeacherColumns.StageShape> shapes =
                List.of(new TeacherColumns.StageShape(3, 6, 6), new TeacherColumns.StageShape(5, 2, 2));
        TeacherColumns columns = new TeacherColumns(TinyNets.CLASSES, 3, 3, d.requires(), shapes);
        Objective o = DistillTestSupport.withCrossEntropy(d, columns);
        CamModel model = TinyNets.model(TinyNets.twoStage(), o, DataType.DOUBLE, new NoOp(), 3);
        assertTrue(model.head().receivesStages());
        assertEquals("conv2", model.featureVertex());
        Nd4j.getRandom().setSeed(16);
        List<INDArray> teacher =
                List.of(Nd4j.rand(DataType.DOUBLE, n, 3, 6, 6), Nd4j.rand(DataType.DOUBLE, n, 5, 2, 2));
        INDArray x = TinyNets.images(n, DataType.DOUBLE, 5);
        INDArray labels = columns.pack(TinyNets.oneHot(n, DataType.DOUBLE), null, null, teacher)
                .castTo(DataType.DOUBLE);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(model.graph())
                .inputs(new INDArray[] {x})
                .labels(new INDArray[] {labels})
                .epsilon(1e-6)
                .maxRelError(1e-4)
                .minAbsoluteError(1e-9)));
        // and the attention term is part of the score the check differentiated
        model.graph().setInputs(x);
        model.graph().setLabels(labels);
        model.graph().computeGradientAndScore();
        assertTrue(model.headLayer().lastTerms().get(AttentionTransferDistiller.TERM) > 0);
        assertFalse(model.headLayer().lastTerms().isEmpty());
    }

    @Test
    void headFeaturesAreTheSameWithAndWithoutPackedStages() {
        // the packed head unpacks exactly the feature map: same logits as the plain head, same parameters
        Objective plain = Objective.of(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0)));
        CamModel a = TinyNets.model(TinyNets.twoStage(), plain, DataType.DOUBLE, new NoOp(), 3);
        AttentionTransferDistiller d = at(2, "all");
        TeacherColumns columns = new TeacherColumns(
                TinyNets.CLASSES,
                3,
                3,
                d.requires(),
                List.of(new TeacherColumns.StageShape(3, 6, 6), new TeacherColumns.StageShape(4, 3, 3)));
        CamModel b = TinyNets.model(
                TinyNets.twoStage(), DistillTestSupport.withCrossEntropy(d, columns), DataType.DOUBLE, new NoOp(), 3);
        assertEquals(a.graph().params(), b.graph().params());
        INDArray x = TinyNets.images(4, DataType.DOUBLE, 9);
        INDArray pa = a.graph().outputSingle(x);
        INDArray pb = b.graph().outputSingle(x);
        assertTrue(pa.equalsWithEps(pb, 1e-12), pa + " vs " + pb);
        assertEquals(a.forward(x).logits(), b.forward(x).logits());
        CamModel.Forward f = b.forward(x, false, true);
        assertEquals(2, f.stages().size());
        assertEquals(
                List.of(4L, 3L, 6L, 6L),
                List.of(
                        f.stages().get(0).size(0),
                        f.stages().get(0).size(1),
                        f.stages().get(0).size(2),
                        f.stages().get(0).size(3)));
        assertEquals(f.features(), f.stages().get(1));
    }
}
