package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.distill.LogitMatchDistillerFactory;
import org.camloss.runtime.distill.Teacher;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.train.Batches;
import org.camloss.runtime.wiring.ExperimentParts;
import org.camloss.runtime.wiring.Wiring;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Distillers wired through the runtime: teacher loading, signals in the labels, a frozen teacher. */
class DistillationTest {
    static Path teacherRun;
    static Path tmp;
    static Camloss camloss;

    @BeforeAll
    static void trainTeacher(@TempDir Path dir) {
        tmp = dir;
        PluginRegistry registry = PluginRegistry.builder()
                .addDiscovered(DistillationTest.class.getClassLoader())
                .register(PluginKind.DISTILLER, new LogitMatchDistillerFactory())
                .build();
        camloss = Camloss.builder()
                .registry(registry)
                .runsRoot(dir.resolve("runs"))
                .build();
        teacherRun = camloss.train(camloss.config(CamlossTest.TINY, List.of("name=teacher", "train.epochs=1")), null)
                .runDir();
    }

    private static Map<String, Object> student(String teacher) {
        Map<String, Object> m = new LinkedHashMap<>(CamlossTest.TINY);
        m.put("name", "student");
        m.put(
                "distill",
                Map.of(
                        "teacher",
                        teacher,
                        "distillers",
                        List.of(Map.of("id", "logit-match", "params", Map.of("weight", 0.5)))));
        return m;
    }

    @Test
    void studentTrainsWithTheTeacherSignalsAndTheTeacherStaysFrozen() {
        ExperimentConfig cfg = camloss.config(student(teacherRun.toString()), List.of("train.epochs=1"));
        ExperimentParts c = camloss.instantiate(cfg);
        Teacher teacher = c.teacher();
        INDArray before = teacher.net().graph().params().dup();
        var wired = Wiring.training(cfg, c, java.time.Duration.ZERO);
        CamModel model = wired.model();
        var summary = wired.trainer(List.of(), org.camloss.runtime.train.RunStore.NONE)
                .run();
        assertArrayEquals(
                before.toFloatVector(), teacher.net().graph().params().toFloatVector(), "a teacher parameter changed");
        assertTrue(summary.last().containsKey("train_logit_mse"), summary.last().toString());
        assertTrue(summary.last().containsKey("train_map_l1"), summary.last().toString());
        double fed = (Double) summary.last().get("train_teacher_accuracy");
        assertTrue(fed >= 0 && fed <= 1, "train_teacher_accuracy " + fed);

        // the logit term sees exactly the teacher's logits on the student's batch
        Batches b = new Batches(
                c.dataset().test(),
                c.dataset().info().shape(),
                c.dataset().info().numClasses(),
                8);
        int[] idx = b.indices(b.inOrder(), 0);
        INDArray x = b.images(idx);
        INDArray labels = teacher.labels(x, b.targets(idx));
        // the teacher's accuracy on exactly this batch
        INDArray teacherTop = teacher.net().forward(x, false).logits().argMax(1);
        double agree = teacherTop
                .eq(b.targets(idx).argMax(1))
                .castTo(org.nd4j.linalg.api.buffer.DataType.INT)
                .sumNumber()
                .doubleValue();
        assertEquals(agree / idx.length, teacher.takeAccuracy().orElseThrow(), 1e-12);
        assertTrue(teacher.takeAccuracy().isEmpty(), "counting starts anew");
        model.graph().setInputs(x);
        model.graph().setLabels(labels);
        model.graph().computeGradientAndScore();
        INDArray zs = model.forward(x, true).logits();
        INDArray zt = teacher.net().forward(x, false).logits();
        double expected = zs.sub(zt).muli(zs.sub(zt)).meanNumber().doubleValue();
        assertEquals(expected, model.headLayer().lastTerms().get("logit_mse"), 1e-4 * Math.max(1, expected));
    }

    @Test
    void endToEndThroughTheFacade() {
        Camloss.TrainResult r = camloss.train(camloss.config(student(teacherRun.toString()), List.of()), null);
        assertTrue(Files.exists(r.runDir().resolve("model.zip")));
        // evaluation of a distilled run needs no teacher
        assertEquals(
                r.summary().last().get("test_accuracy"),
                camloss.evaluate(r.runDir()).result().accuracy());
    }

    @Test
    void cachedTeacherOutputsEqualFreshOnes() {
        Map<String, Object> cfg = student(teacherRun.toString());
        ExperimentConfig config = camloss.config(cfg, List.of("distill.cache_teacher=true", "train.epochs=2"));
        assertTrue(config.distill().orElseThrow().cacheTeacher());
        ExperimentParts c = camloss.instantiate(config);
        TrainBatch tb = trainBatch(c, 8, 1);
        int[] idx = tb.idx();
        INDArray x = tb.images();
        INDArray y = tb.targets();
        INDArray fresh = c.teacher().labels(x, y);
        INDArray first = c.teacher().labels(x, y, idx);
        INDArray cached = c.teacher().labels(x.mul(0), y, idx); // images ignored once cached
        assertEquals(fresh, first);
        assertEquals(fresh, cached);
        assertTrue(Files.exists(camloss.train(config, null).runDir().resolve("model.zip")));
    }

    @Test
    void cachingWithAugmentationIsAConfigProblem() {
        ExperimentConfig config = camloss.config(
                student(teacherRun.toString()), List.of("distill.cache_teacher=true", "regularizers.0.id=mixup"));
        org.camloss.runtime.config.ConfigException e =
                assertThrows(org.camloss.runtime.config.ConfigException.class, () -> camloss.instantiate(config));
        assertTrue(
                e.getMessage()
                        .contains("distill.cache_teacher: needs batches that are not augmented or mixed, "
                                + "but the config has regularizers"),
                e.getMessage());
    }

    @Test
    void teacherWithSmallerMapsIsResizedToTheStudents() {
        // ResNet-18 with the CIFAR stem has stride 8: 2x2 maps on 16x16 images, the student (stride 4) has 4x4
        Path smallMaps = camloss.train(
                        camloss.config(
                                CamlossTest.TINY,
                                List.of(
                                        "name=teacher18",
                                        "train.epochs=1",
                                        "backbone.id=resnet",
                                        "backbone.params.depth=18",
                                        "backbone.params.stem=cifar",
                                        "backbone.params.width=0.125")),
                        null)
                .runDir();
        ExperimentConfig cfg = camloss.config(student(smallMaps.toString()), List.of("train.epochs=1"));
        ExperimentParts c = camloss.instantiate(cfg);
        assertEquals(4, c.teacher().columns().mapH());
        assertEquals(2, c.teacher().net().info().outputSize(c.dataset().info().shape())[0]);
        TrainBatch tb = trainBatch(c, 4, 0);
        INDArray labels = c.teacher().labels(tb.images(), tb.targets());
        assertEquals(4 + 4 + 16, labels.size(1)); // targets, teacher logits, 4x4 teacher CAM
        Camloss.TrainResult r = camloss.train(cfg, null);
        assertTrue(r.summary().last().containsKey("train_map_l1"));
    }

    @Test
    void missingTeacherIsAUserError() {
        Path nope = tmp.resolve("no-such-run");
        UserException e = assertThrows(
                UserException.class, () -> camloss.instantiate(camloss.config(student(nope.toString()), List.of())));
        assertEquals("distill.teacher: " + nope + " does not exist", e.getMessage());
    }

    @Test
    void corruptTeacherIsAUserError() throws Exception {
        Path bad = tmp.resolve("bad-model.zip");
        Files.writeString(bad, "garbage");
        UserException e = assertThrows(
                UserException.class, () -> camloss.instantiate(camloss.config(student(bad.toString()), List.of())));
        assertTrue(
                e.getMessage().startsWith("distill.teacher: " + bad + " is not a readable camloss model"),
                e.getMessage());
    }

    @Test
    void teacherOfAnotherClassCountIsAUserError() {
        ExperimentConfig cfg = camloss.config(student(teacherRun.toString()), List.of("data.params.classes=3"));
        UserException e = assertThrows(UserException.class, () -> camloss.instantiate(cfg));
        assertTrue(
                e.getMessage().startsWith("distill.teacher: " + teacherRun + " has 4 classes but the student's data"),
                e.getMessage());
    }

    // ---------------------------------------------------------------- attention transfer (stages)

    /** Batch {@code index} (unshuffled, of size {@code size}) of the training split: indices, images, targets. */
    private record TrainBatch(int[] idx, INDArray images, INDArray targets) {}

    private static TrainBatch trainBatch(ExperimentParts c, int size, int index) {
        Batches b = new Batches(
                c.dataset().train(),
                c.dataset().info().shape(),
                c.dataset().info().numClasses(),
                size);
        int[] idx = b.indices(b.inOrder(), index);
        return new TrainBatch(idx, b.images(idx), b.targets(idx));
    }

    private static Map<String, Object> atStudent(String teacher, String stages) {
        Map<String, Object> m = new LinkedHashMap<>(CamlossTest.TINY);
        m.put("name", "at-student");
        m.put(
                "distill",
                Map.of(
                        "teacher",
                        teacher,
                        "distillers",
                        List.of(
                                Map.of("id", "at", "params", Map.of("beta", 100.0, "stages", stages)),
                                Map.of("id", "kd", "params", Map.of("temperature", 4.0, "weight", 0.5)))));
        return m;
    }

    /** ½ Σ_pairs mean (q_S − q_T)², q = normalised mean_c A², by loops on NCHW arrays; teacher resized. */
    private static double attentionReference(List<INDArray> student, List<INDArray> teacher) {
        double total = 0;
        int offset = teacher.size() - student.size();
        for (int s = Math.max(0, -offset); s < student.size(); s++) {
            INDArray a = student.get(s).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            INDArray t = teacher.get(s + offset).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            int n = (int) a.size(0);
            int h = (int) a.size(2);
            int w = (int) a.size(3);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double[] qs = q(a.slice(i), h, w);
                double[] qt = q(t.slice(i), (int) t.size(2), (int) t.size(3));
                if (qt.length != qs.length) {
                    float[] f = new float[qt.length];
                    for (int k = 0; k < f.length; k++) {
                        f[k] = (float) qt[k];
                    }
                    float[] r = org.camloss.api.cam.Bilinear.resize(f, (int) t.size(2), (int) t.size(3), h, w);
                    qt = new double[r.length];
                    for (int k = 0; k < r.length; k++) {
                        qt[k] = r[k];
                    }
                }
                qs = unit(qs);
                qt = unit(qt);
                for (int k = 0; k < qs.length; k++) {
                    sum += (qs[k] - qt[k]) * (qs[k] - qt[k]);
                }
            }
            total += 0.5 * sum / (n * h * w);
        }
        return total;
    }

    private static double[] q(INDArray chw, int h, int w) {
        double[] v = chw.dup('c').reshape(chw.length()).toDoubleVector();
        int c = (int) chw.size(0);
        double[] out = new double[h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int k = 0; k < h * w; k++) {
                out[k] += v[ch * h * w + k] * v[ch * h * w + k] / c;
            }
        }
        return out;
    }

    private static double[] unit(double[] q) {
        double s = 0;
        for (double v : q) {
            s += v * v;
        }
        double norm = Math.sqrt(s) + 1e-12;
        double[] out = q.clone();
        for (int k = 0; k < out.length; k++) {
            out[k] /= norm;
        }
        return out;
    }

    @Test
    void attentionTransferSeesBothModelsStagesAndTheTeacherStaysFrozen() {
        ExperimentConfig cfg = camloss.config(atStudent(teacherRun.toString(), "all"), List.of("train.epochs=1"));
        ExperimentParts c = camloss.instantiate(cfg);
        Teacher teacher = c.teacher();
        assertEquals(3, teacher.net().info().stages().size(), "stages recorded with the teacher's model");
        INDArray before = teacher.net().graph().params().dup();
        var wired = Wiring.training(cfg, c, java.time.Duration.ZERO);
        CamModel model = wired.model();
        assertTrue(model.head().receivesStages());
        var summary = wired.trainer(List.of(), org.camloss.runtime.train.RunStore.NONE)
                .run();
        assertArrayEquals(
                before.toFloatVector(), teacher.net().graph().params().toFloatVector(), "a teacher parameter changed");
        assertTrue(
                summary.last().containsKey("train_at") && summary.last().containsKey("train_kd"),
                summary.last().toString());

        // the term is the attention distance between the student's and the teacher's stage maps on this batch
        Batches b = new Batches(
                c.dataset().test(),
                c.dataset().info().shape(),
                c.dataset().info().numClasses(),
                8);
        int[] idx = b.indices(b.inOrder(), 0);
        INDArray x = b.images(idx);
        model.graph().setInputs(x);
        model.graph().setLabels(teacher.labels(x, b.targets(idx)));
        model.graph().computeGradientAndScore();
        double expected = attentionReference(
                model.forward(x, true, true).stages(),
                teacher.net().forward(x, true).stages());
        assertTrue(expected > 0);
        assertEquals(expected, model.headLayer().lastTerms().get("at"), 1e-4 * expected);
    }

    @Test
    void attentionTransferPairsADeeperTeacherFromItsDeepestStages() {
        // ResNet-18 (CIFAR stem) has 4 stages, strides 1/2/4/8; the student ResNet-8 has 3, strides 1/2/4:
        // pairs (0,1), (1,2), (2,3), each teacher map half the student's size (resized)
        Path deeper = camloss.train(
                        camloss.config(
                                CamlossTest.TINY,
                                List.of(
                                        "name=teacher18-at",
                                        "train.epochs=1",
                                        "backbone.id=resnet",
                                        "backbone.params.depth=18",
                                        "backbone.params.stem=cifar",
                                        "backbone.params.width=0.125")),
                        null)
                .runDir();
        ExperimentConfig cfg = camloss.config(atStudent(deeper.toString(), "all"), List.of("train.epochs=1"));
        ExperimentParts c = camloss.instantiate(cfg);
        assertEquals(4, c.teacher().net().info().stages().size());
        var wired = Wiring.training(cfg, c, java.time.Duration.ZERO);
        CamModel model = wired.model();
        wired.trainer(List.of(), org.camloss.runtime.train.RunStore.NONE).run();
        Batches b = new Batches(
                c.dataset().test(),
                c.dataset().info().shape(),
                c.dataset().info().numClasses(),
                8);
        int[] idx = b.indices(b.inOrder(), 0);
        INDArray x = b.images(idx);
        model.graph().setInputs(x);
        model.graph().setLabels(c.teacher().labels(x, b.targets(idx)));
        model.graph().computeGradientAndScore();
        double expected = attentionReference(
                model.forward(x, true, true).stages(),
                c.teacher().net().forward(x, true).stages());
        assertEquals(expected, model.headLayer().lastTerms().get("at"), 1e-4 * expected);
    }

    @Test
    void attentionTransferRunEndsInAModelThatEvaluatesAndTeaches() {
        Camloss.TrainResult r = camloss.train(camloss.config(atStudent(teacherRun.toString(), "1,2"), List.of()), null);
        assertEquals(
                r.summary().last().get("test_accuracy"),
                camloss.evaluate(r.runDir()).result().accuracy());
        // the distilled student (packed head) can itself be a teacher of stages
        ExperimentConfig next = camloss.config(atStudent(r.runDir().toString(), "all"), List.of("train.epochs=1"));
        ExperimentParts c = camloss.instantiate(next);
        assertEquals(3, c.teacher().net().info().stages().size());
        CamModel saved = org.camloss.runtime.run.ModelFiles.load(
                r.runDir(), "test", c.dataset().info().shape());
        assertTrue(saved.head().receivesStages(), "the saved student keeps its packed head");
        assertEquals(
                saved.backboneInfo().stages().get(2).vertex(),
                saved.featureVertex(),
                "the feature vertex is the backbone's, not the packing vertex");
    }

    @Test
    void stagesThatDoNotPairAreAConfigProblemNamingTheDistiller() {
        ExperimentConfig cfg = camloss.config(atStudent(teacherRun.toString(), "0,5"), List.of());
        org.camloss.runtime.config.ConfigException e =
                assertThrows(org.camloss.runtime.config.ConfigException.class, () -> camloss.instantiate(cfg));
        assertTrue(
                e.getMessage().contains("distill.distillers.0.params: stages: the student has 3 stages"),
                e.getMessage());
    }

    @Test
    void cachedTeacherStagesEqualFreshOnes() {
        ExperimentConfig config =
                camloss.config(atStudent(teacherRun.toString(), "all"), List.of("distill.cache_teacher=true"));
        ExperimentParts c = camloss.instantiate(config);
        TrainBatch tb = trainBatch(c, 8, 1);
        int[] idx = tb.idx();
        INDArray x = tb.images();
        INDArray y = tb.targets();
        INDArray fresh = c.teacher().labels(x, y);
        assertEquals(4 + 4 + 16 * 16 * 8 + 8 * 8 * 16 + 4 * 4 * 32, fresh.size(1)); // targets, logits, 3 stages
        c.teacher().labels(x, y, idx);
        assertEquals(fresh, c.teacher().labels(x.mul(0), y, idx));
        assertEquals(96L * fresh.size(1) * 4, c.teacher().cacheBytes(96));
    }
}
