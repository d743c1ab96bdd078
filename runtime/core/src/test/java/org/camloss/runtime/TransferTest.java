package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.train.Batches;
import org.camloss.runtime.wiring.ExperimentParts;
import org.camloss.runtime.wiring.Wiring;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Starting from a trained model: exact copies, strict matching, freezing, learning-rate multipliers, class subsets. */
class TransferTest {
    static final Map<String, Object> SOURCE = Map.of(
            "name", "source",
            "seed", 1,
            "data", Map.of("id", "shapes", "params", Map.of("train", 96, "test", 32, "size", 16)),
            "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.25)),
            "loss", Map.of("id", "cam-loss"),
            "train", Map.of("epochs", 1, "batch_size", 32, "threads", 1, "progress", false));

    static Path source;
    static Camloss camloss;

    @BeforeAll
    static void trainSource(@TempDir Path tmp) {
        camloss = Camloss.builder().build();
        source = camloss.train(camloss.config(SOURCE, List.of()), tmp.resolve("source"))
                .runDir();
    }

    /** A target config: the source's recipe on classes [0, 2] of shapes, plus {@code sets}. */
    private static ExperimentConfig target(String... sets) {
        List<String> all = new java.util.ArrayList<>(
                List.of("name=target", "seed=2", "data.classes=[0, 2]", "init.from=" + source));
        all.addAll(List.of(sets));
        return camloss.config(SOURCE, all);
    }

    private static Map<String, INDArray> backboneParams(CamModel m) {
        Map<String, INDArray> out = new HashMap<>();
        for (Layer l : m.graph().getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (!name.equals(CamModel.HEAD)) {
                l.paramTable().forEach((k, v) -> out.put(name + "_" + k, v.dup().reshape(v.length())));
            }
        }
        return out;
    }

    private static CamModel assemble(ExperimentConfig config) {
        ExperimentParts parts = camloss.instantiate(config);
        return Wiring.training(config, parts, java.time.Duration.ZERO).model();
    }

    /** One SGD step on the first training batch of {@code config}'s data. */
    private static void step(ExperimentConfig config, CamModel m) {
        ExperimentParts parts = camloss.instantiate(config);
        Batches b = new Batches(
                parts.dataset().train(),
                parts.dataset().info().shape(),
                parts.dataset().info().numClasses(),
                16);
        int[] idx = b.indices(b.inOrder(), 0);
        m.graph().fit(new INDArray[] {b.images(idx)}, new INDArray[] {b.targets(idx)});
    }

    @Test
    void theBackboneIsCopiedExactlyAndTheHeadIsRebuiltForTheNewClasses() throws Exception {
        CamModel src =
                org.camloss.runtime.run.ModelFiles.load(source, "source", new org.camloss.api.InputShape(3, 16, 16));
        CamModel dst = assemble(target());
        Map<String, INDArray> a = backboneParams(src);
        Map<String, INDArray> b = backboneParams(dst);
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toFloatVector(), b.get(k).toFloatVector(), k));
        assertTrue(a.keySet().stream().anyMatch(k -> k.endsWith("_mean")), "batch-norm statistics are copied");
        assertEquals(2, dst.head().getClasses());
        assertEquals(
                List.of(2L, 16L),
                List.of(dst.classifierWeight().size(0), dst.classifierWeight().size(1)));
    }

    @Test
    void theRunRecordsItsSourceAndTheClassSubset(@TempDir Path tmp) throws Exception {
        Path run = camloss.train(target(), tmp.resolve("t")).runDir();
        Map<String, Object> json = Json.read(run.resolve("run.json"));
        assertEquals(List.of("0", "2"), ((Map<?, ?>) json.get("data")).get("classes"));
        Map<?, ?> init = (Map<?, ?>) ((Map<?, ?>) json.get("provenance")).get("init");
        assertEquals(source.toString(), init.get("from"));
        assertTrue(String.valueOf(init.get("sha256")).matches("[0-9a-f]{64}"));
        assertEquals("source", ((Map<?, ?>) init.get("source_run")).get("name"));
        Map<?, ?> dataset = (Map<?, ?>) ((Map<?, ?>) json.get("provenance")).get("dataset");
        assertEquals(List.of("circle", "triangle"), dataset.get("classes"));
    }

    @Test
    void whatDoesNotFitIsOneMessageListingTheDifferences() {
        UserException shapes = assertThrows(UserException.class, () -> assemble(target("backbone.params.width=0.5")));
        assertTrue(
                shapes.getMessage()
                        .startsWith("init.from: " + source.resolve("model.zip") + ": the source model "
                                + "does not fit this config's model: layer 'stem_conv' parameter 'W': the source's shape is [4, 3, 3, "
                                + "3], this model's [8, 3, 3, 3]; "),
                shapes.getMessage());
        UserException head = assertThrows(UserException.class, () -> assemble(target("init.parts=all")));
        assertTrue(
                head.getMessage()
                        .contains("layer 'head' parameter 'W': the source's shape is [4, 16], this model's "
                                + "[2, 16] (another class count: use init.parts: backbone)"),
                head.getMessage());
        ConfigException id = assertThrows(
                ConfigException.class,
                () -> assemble(target(
                        "backbone.id=vgg", "backbone.params={depth: 11, last_pool: false}", "data.params.size=32")));
        assertEquals(
                "config: init.from: " + source + " was trained with backbone 'resnet-cifar', this config names "
                        + "'vgg'; init copies parameters by layer name, so both must be the same backbone",
                id.getMessage());
        UserException missing = assertThrows(
                UserException.class,
                () -> camloss.instantiate(camloss.config(SOURCE, List.of("init.from=" + source.resolve("nope")))));
        assertEquals(
                "init.from: " + source.resolve("nope") + " does not exist; name a run directory, its model.zip, "
                        + "or a DL4J ComputationGraph file",
                missing.getMessage());
    }

    @Test
    void aFrozenBackboneKeepsEveryParameterAndStatistic() {
        ExperimentConfig config = target("freeze.backbone=true");
        CamModel m = assemble(config);
        Map<String, INDArray> before = backboneParams(m);
        INDArray head = m.classifierWeight().dup();
        for (int i = 0; i < 3; i++) {
            step(config, m);
        }
        backboneParams(m).forEach((k, v) -> assertArrayEquals(before.get(k).toFloatVector(), v.toFloatVector(), k));
        assertNotEquals(head, m.classifierWeight(), "the head trains");
    }

    @Test
    void freezingTheFirstStagesKeepsThoseAndTrainsTheRest() {
        ExperimentConfig config = target("freeze.stages=1");
        CamModel m = assemble(config);
        Map<String, INDArray> before = backboneParams(m);
        step(config, m);
        Map<String, INDArray> after = backboneParams(m);
        assertArrayEquals(
                before.get("stem_conv_W").toFloatVector(),
                after.get("stem_conv_W").toFloatVector());
        assertArrayEquals(
                before.get("s1_b0_conv1_W").toFloatVector(),
                after.get("s1_b0_conv1_W").toFloatVector());
        assertFalse(
                java.util.Arrays.equals(
                        before.get("s3_b0_conv1_W").toFloatVector(),
                        after.get("s3_b0_conv1_W").toFloatVector()),
                "the third stage trains");
        assertThrows(ConfigException.class, () -> camloss.instantiate(target("freeze.stages=9")));
    }

    @Test
    void frozenBatchNormInTrainModeKeepsWeightsButUpdatesItsStatistics() {
        ExperimentConfig config = target("freeze.backbone=true", "freeze.batch_norm=train");
        CamModel m = assemble(config);
        Map<String, INDArray> before = backboneParams(m);
        step(config, m);
        Map<String, INDArray> after = backboneParams(m);
        assertArrayEquals(
                before.get("stem_conv_W").toFloatVector(),
                after.get("stem_conv_W").toFloatVector());
        assertArrayEquals(
                before.get("stem_bn_gamma").toFloatVector(),
                after.get("stem_bn_gamma").toFloatVector());
        assertFalse(
                java.util.Arrays.equals(
                        before.get("stem_bn_mean").toFloatVector(),
                        after.get("stem_bn_mean").toFloatVector()),
                "running statistics follow the batches");
    }

    @Test
    void frozenRunsSaveModelsThatLoadEvaluateAndResumeToTheSameWeights(@TempDir Path tmp) throws Exception {
        for (String[] sets : List.of(
                new String[] {"freeze.backbone=true"}, new String[] {"freeze.stages=2", "freeze.batch_norm=train"})) {
            List<String> all = new java.util.ArrayList<>(List.of(sets));
            all.addAll(List.of("train.epochs=2", "train.threads=1"));
            ExperimentConfig config = target(all.toArray(new String[0]));
            String name = String.join("-", sets).replaceAll("[^a-z0-9-]", "_");
            Path whole = camloss.train(config, tmp.resolve(name + "-whole")).runDir();
            Path cut = tmp.resolve(name + "-cut");
            assertThrows(
                    org.camloss.runtime.train.TrainingCancelledException.class,
                    () -> camloss.train(config, cut, ResumeTest.interruptAfter(3)));
            Thread.interrupted();
            Path resumed = camloss.resume(cut).runDir();
            CamModel a =
                    org.camloss.runtime.run.ModelFiles.load(whole, "whole", new org.camloss.api.InputShape(3, 16, 16));
            CamModel b = org.camloss.runtime.run.ModelFiles.load(
                    resumed, "resumed", new org.camloss.api.InputShape(3, 16, 16));
            assertEquals(a.graph().params(), b.graph().params(), String.join(",", sets));
            assertEquals(
                    camloss.evaluate(whole).result().accuracy(),
                    camloss.evaluate(resumed).result().accuracy(),
                    1e-12);
        }
    }

    @Test
    void learningRateMultipliersScaleEachPartsStepExactly() {
        String[] plainSgd = {"optimizer.params.momentum=0", "optimizer.params.weight_decay=0", "schedule.id=constant"};
        ExperimentConfig base = target(plainSgd);
        List<String> scaledSets = new java.util.ArrayList<>(List.of(plainSgd));
        scaledSets.addAll(List.of("lr_mult.backbone=0.25", "lr_mult.head=2"));
        ExperimentConfig scaled = target(scaledSets.toArray(new String[0]));
        CamModel m1 = assemble(base);
        CamModel m2 = assemble(scaled);
        INDArray w0 = m1.graph().getLayer("s2_b0_conv1").getParam("W").dup();
        INDArray h0 = m1.classifierWeight().dup();
        assertEquals(w0, m2.graph().getLayer("s2_b0_conv1").getParam("W"), "same start");
        step(base, m1);
        step(scaled, m2);
        INDArray d1 = m1.graph().getLayer("s2_b0_conv1").getParam("W").sub(w0);
        INDArray d2 = m2.graph().getLayer("s2_b0_conv1").getParam("W").sub(w0);
        assertTrue(d1.norm2Number().doubleValue() > 0);
        assertEquals(
                0,
                d2.sub(d1.mul(0.25)).norm2Number().doubleValue(),
                1e-5 * d1.norm2Number().doubleValue());
        INDArray e1 = m1.classifierWeight().sub(h0);
        INDArray e2 = m2.classifierWeight().sub(h0);
        assertEquals(
                0,
                e2.sub(e1.mul(2)).norm2Number().doubleValue(),
                1e-5 * e1.norm2Number().doubleValue());
    }

    @Test
    void aTrainingBudgetKeepsNImagesPerClassDrawnByTheSeedAndTheWholeTestSplit() {
        ExperimentParts all = camloss.instantiate(camloss.config(SOURCE, List.of("data.classes=[0, 2]")));
        ExperimentParts a =
                camloss.instantiate(camloss.config(SOURCE, List.of("data.classes=[0, 2]", "data.train_per_class=5")));
        ExperimentParts again =
                camloss.instantiate(camloss.config(SOURCE, List.of("data.classes=[0, 2]", "data.train_per_class=5")));
        ExperimentParts other = camloss.instantiate(
                camloss.config(SOURCE, List.of("data.classes=[0, 2]", "data.train_per_class=5", "seed=9")));
        assertEquals(10, a.dataset().train().size());
        int[] perClass = new int[2];
        for (int i = 0; i < 10; i++) {
            perClass[a.dataset().train().label(i)]++;
        }
        assertArrayEquals(new int[] {5, 5}, perClass);
        assertEquals(all.dataset().test().size(), a.dataset().test().size(), "the test split is whole");
        assertArrayEquals(pixels(a), pixels(again), "the same seed draws the same images");
        assertFalse(java.util.Arrays.equals(pixels(a), pixels(other)), "another seed draws others");
        assertNotEquals(all.dataset().info().fingerprint(), a.dataset().info().fingerprint());
        assertEquals(
                "--set: data.train_per_class: must be an integer in [1, 2147483647] (training images kept per class), "
                        + "found 0",
                assertThrows(ConfigException.class, () -> camloss.config(SOURCE, List.of("data.train_per_class=0")))
                        .getMessage());
    }

    private static float[] pixels(ExperimentParts parts) {
        var sh = parts.dataset().info().shape();
        int n = sh.channels() * sh.height() * sh.width();
        float[] out = new float[parts.dataset().train().size() * n];
        for (int i = 0; i < parts.dataset().train().size(); i++) {
            parts.dataset().train().image(i, out, i * n);
        }
        return out;
    }

    @Test
    void classSubsetsRelabelInTheGivenOrderAndRefuseWhatIsNotAClass() {
        ExperimentParts parts = camloss.instantiate(camloss.config(SOURCE, List.of("data.classes=[square, 0]")));
        assertEquals(List.of("square", "circle"), parts.dataset().info().classes());
        ExperimentParts all = camloss.instantiate(camloss.config(SOURCE, List.of()));
        int squares = 0;
        int circles = 0;
        for (int i = 0; i < all.dataset().train().size(); i++) {
            squares += all.dataset().train().label(i) == 1 ? 1 : 0;
            circles += all.dataset().train().label(i) == 0 ? 1 : 0;
        }
        assertEquals(squares + circles, parts.dataset().train().size());
        int relabelledSquares = 0;
        for (int i = 0; i < parts.dataset().train().size(); i++) {
            relabelledSquares += parts.dataset().train().label(i) == 0 ? 1 : 0;
        }
        assertEquals(squares, relabelledSquares);
        ConfigException bad = assertThrows(
                ConfigException.class,
                () -> camloss.instantiate(camloss.config(SOURCE, List.of("data.classes=[0, 7]"))));
        assertEquals(
                "config: data.classes: '7' is not a class of shapes(classes=4,size=16,seed=0); valid: indices 0..3 "
                        + "or names [circle, square, triangle, cross]",
                bad.getMessage());
        assertEquals(
                "--set: data.classes: must list at least 2 classes (a classifier needs two), found [1]",
                assertThrows(ConfigException.class, () -> camloss.config(SOURCE, List.of("data.classes=[1]")))
                        .getMessage());
        assertEquals(
                "--set: data.classes: lists '1' twice",
                assertThrows(ConfigException.class, () -> camloss.config(SOURCE, List.of("data.classes=[1, 1]")))
                        .getMessage());
    }
}
