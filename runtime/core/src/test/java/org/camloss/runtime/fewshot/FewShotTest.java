package org.camloss.runtime.fewshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.camloss.api.UserException;
import org.camloss.api.data.DataSplit;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.ModelFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * End to end on {@code shapes}: a tiny model is trained on its first three classes with {@link Camloss#train}, then
 * evaluated few-shot on the other three (cross, ring, diamond) of the six-class data; and every bad input refused
 * with its message, before anything is written.
 */
class FewShotTest {
    static final Map<String, Object> TINY = Map.of(
            "name", "fewshot-tiny",
            "seed", 1,
            "data", Map.of("id", "shapes", "params", Map.of("classes", 3, "train", 64, "test", 32, "size", 16)),
            "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.25)),
            "loss", Map.of("id", "cam-loss"),
            "train", Map.of("epochs", 1, "batch_size", 32, "threads", 1, "progress", false));
    static final String DATA = "shapes(classes=6,size=16,seed=0)";
    static final String VALID = "valid: labels 0..5 or names [circle, square, triangle, cross, ring, diamond]";

    static Camloss camloss;
    static Path runDir;
    static FewShotResult first;

    @BeforeAll
    static void trainAndEvaluateOnce(@TempDir Path tmp) {
        camloss = Camloss.builder().runsRoot(tmp.resolve("runs")).build();
        runDir = camloss.train(camloss.config(TINY, List.of()), tmp.resolve("run"))
                .runDir();
        first = camloss.fewShot(request().build(), FewShotListener.NONE);
    }

    /** 2- and 3-way, 1- and 5-shot, 5 queries, 30 episodes, every classifier, on the novel classes of 150 test images. */
    static FewShotRequest.Builder request() {
        return request(runDir);
    }

    static FewShotRequest.Builder request(Path run) {
        return FewShotRequest.builder(run)
                .dataParam("classes", 6)
                .dataParam("test", 150)
                .classes(List.of("3", "ring", "Diamond"))
                .ways(List.of(2, 3))
                .shots(List.of(1, 5))
                .queries(5)
                .episodes(30)
                .classifiers(List.of(FewShotMethod.values()))
                .seed(4);
    }

    @Test
    void everySettingIsEvaluatedAndWrittenToFewshotJsonInTheRunDirectory() throws Exception {
        assertEquals(runDir.resolve("fewshot.json"), first.file());
        assertEquals(16, first.settings().size());
        assertEquals(
                List.of("3 cross", "4 ring", "5 diamond"),
                first.classes().stream().map(c -> c.label() + " " + c.name()).toList());
        assertEquals(DATA, first.dataset());
        assertEquals(16, first.featureDim(), "resnet-cifar width 0.25 ends in 64 * 0.25 = 16 channels");
        for (FewShotResult.ClassInfo c : first.classes()) {
            assertTrue(c.images() >= 10, c.toString());
        }
        for (FewShotResult.Setting s : first.settings()) {
            assertEquals(30, s.accuracy().episodes());
            assertTrue(s.accuracy().mean() >= 0 && s.accuracy().mean() <= 1, s.toString());
        }

        Map<String, Object> json = Json.read(first.file());
        assertEquals(
                List.of("run", "data", "classes", "protocol", "results", "timing", "camloss_version", "created"),
                List.copyOf(json.keySet()));
        Map<String, Object> run = section(json, "run");
        assertEquals(sha256(runDir.resolve("model.zip")), run.get("model_sha256"));
        assertEquals(first.modelSha256(), run.get("model_sha256"));
        assertEquals("cam-loss", section(run, "loss").get("id"));
        Map<String, Object> data = section(json, "data");
        assertEquals("shapes", data.get("id"));
        assertEquals(6, section(data, "params").get("classes"));
        assertEquals(150, section(data, "params").get("test"));
        assertEquals(64, section(data, "params").get("train"), "the run's own values, where not overridden");
        assertEquals("test", data.get("split"));
        assertEquals("16x16x3", data.get("shape"));
        Map<String, Object> protocol = section(json, "protocol");
        assertEquals(List.of(2, 3), protocol.get("ways"));
        assertEquals(List.of(1, 5), protocol.get("shots"));
        assertEquals(5, protocol.get("queries"));
        assertEquals(30, protocol.get("episodes"));
        assertEquals(4, protocol.get("seed"));
        assertEquals(16, protocol.get("feature_dim"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) json.get("results");
        assertEquals(16, results.size());
        assertEquals(
                List.of(
                        "classifier",
                        "ways",
                        "shots",
                        "queries",
                        "episodes",
                        "mean_accuracy",
                        "ci95",
                        "std",
                        "seconds"),
                List.copyOf(results.get(0).keySet()));
        assertEquals(
                "prototype 2 1",
                results.get(0).get("classifier") + " " + results.get(0).get("ways") + " "
                        + results.get(0).get("shots"));
        assertEquals(first.settings().get(5).accuracy().mean(), (Double)
                results.get(5).get("mean_accuracy"));
    }

    @Test
    void aSecondEvaluationGivesTheSameNumbersInTheNextFreeFileAndLeavesTheFirstAlone() throws Exception {
        String before = Files.readString(first.file());
        FewShotResult again = camloss.fewShot(request().build(), FewShotListener.NONE);
        try {
            assertEquals(runDir.resolve("fewshot-2.json"), again.file());
            assertEquals(before, Files.readString(first.file()));
            for (int i = 0; i < first.settings().size(); i++) {
                assertEquals(
                        first.settings().get(i).accuracy(),
                        again.settings().get(i).accuracy());
            }
        } finally {
            Files.deleteIfExists(again.file());
        }
    }

    @Test
    void outWritesANewFileAndRefusesAnExistingOne(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("a/b/fs.json");
        FewShotResult r = camloss.fewShot(
                request()
                        .classifiers(List.of(FewShotMethod.NEAREST))
                        .episodes(5)
                        .out(out)
                        .build(),
                FewShotListener.NONE);
        assertEquals(out, r.file());
        assertTrue(Files.isRegularFile(out));
        String text = Files.readString(out);
        refused(
                b -> b.out(out),
                "--out " + out + ": already exists; camloss never overwrites results (name another file, or leave "
                        + "--out out to write the run directory's first free fewshot.json, fewshot-2.json, ...)");
        assertEquals(text, Files.readString(out));
        try (Stream<Path> files = Files.list(tmp.resolve("a/b"))) {
            assertEquals(List.of(out), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void aDataParameterWithoutValueTakesThePluginsDefaultInsteadOfTheRunsValue(@TempDir Path tmp) throws Exception {
        FewShotResult r = camloss.fewShot(
                request()
                        .dataParam("train", null)
                        .classifiers(List.of(FewShotMethod.NEAREST))
                        .episodes(2)
                        .out(tmp.resolve("fs.json"))
                        .build(),
                FewShotListener.NONE);
        Map<String, Object> params = section(section(r.json(), "data"), "params");
        assertEquals(5000, params.get("train"), "shapes' default, not the run's 64");
        assertEquals(150, params.get("test"));
    }

    @Test
    void theFeaturesAreWhatTheHeadClassifies() {
        CamModel model = ModelFiles.load(runDir, "RUN_DIR", new org.camloss.api.InputShape(3, 16, 16));
        DataSplit test = camloss.registry()
                .find(org.camloss.runtime.registry.PluginKind.DATASET, "shapes")
                .orElseThrow()
                .create(org.camloss.api.Params.resolve(
                        camloss.registry()
                                .find(org.camloss.runtime.registry.PluginKind.DATASET, "shapes")
                                .orElseThrow()
                                .params(),
                        Map.of("classes", 3, "test", 32, "size", 16)))
                .test();
        int[] examples = {0, 3, 5, 8, 13, 21, 31};
        FeatureSet f = new FeatureExtractor(model, 3).extract(test, examples, new int[7], FewShotListener.NONE);
        assertArrayEquals(examples, f.examples());
        INDArray images = new org.camloss.runtime.train.Batches(test, model.inputShape(), 3, 7).images(examples);
        INDArray logits = model.forward(images).logits();
        INDArray w = model.classifierWeight().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray b = model.classifierBias().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        for (int i = 0; i < examples.length; i++) {
            for (int k = 0; k < 3; k++) {
                double z = b.getDouble(0, k);
                for (int c = 0; c < f.dim(); c++) {
                    z += f.rows()[i][c] * w.getDouble(k, c);
                }
                assertEquals(logits.getDouble(i, k), z, 1e-4, "logit " + k + " of example " + examples[i]);
            }
        }
    }

    // ---------------------------------------------------------------- bad input: one message, nothing written

    @Test
    void moreWaysThanClasses() {
        refused(
                b -> b.ways(List.of(2, 4)),
                "--ways 4: more than the 3 classes to draw from (--classes [3, 4, 5]); valid: 2..3");
        refused(
                b -> b.classes(null).dataParam("classes", 3).ways(List.of(5)),
                "--ways 5: more than the 3 classes to draw from (every class of shapes(classes=3,size=16,seed=0)); "
                        + "valid: 2..3");
    }

    @Test
    void moreShotsAndQueriesThanTheImagesOfAClass() {
        FewShotResult.ClassInfo smallest = first.classes().stream()
                .min(java.util.Comparator.comparingInt(FewShotResult.ClassInfo::images))
                .orElseThrow();
        int n = smallest.images();
        refused(
                b -> b.shots(List.of(1, 5)).queries(n - 4),
                "--shots 5 + --queries " + (n - 4) + " = " + (n + 1) + ": more than the " + n + " images of class "
                        + smallest.label() + " (" + smallest.name() + ") in the test split of " + DATA
                        + "; valid: shots + queries <= " + n);
    }

    @Test
    void emptyUnknownRepeatedOrSingleClasses() {
        refused(
                b -> b.classes(List.of(" ", "")),
                "--classes: empty; give the classes to draw episodes from (" + VALID + ")");
        refused(
                b -> b.classes(List.of("3", "hexagon")),
                "--classes: 'hexagon' is not a class of " + DATA + " (" + VALID + ")");
        refused(b -> b.classes(List.of("3", "6")), "--classes: '6' is not a class of " + DATA + " (" + VALID + ")");
        refused(b -> b.classes(List.of("4", "ring")), "--classes: class 4 (ring) is listed twice");
        refused(b -> b.classes(List.of("ring")), "--classes: only 1 class chosen (ring); episodes need at least 2");
    }

    @Test
    void anUnknownDatasetOrBadDataParameters() {
        String unknown = message(b -> b.data("shapez"));
        assertTrue(
                unknown.startsWith("--data: no dataset plugin 'shapez'; did you mean 'shapes'? available: ["), unknown);
        refused(
                b -> b.dataParam("size", 8).dataParam("sizes", 1),
                "--data-param sizes: unknown parameter; did you mean 'size'? valid: [classes, train, test, size, "
                        + "distractors, clutter, min_scale, max_scale, seed]; --data-param size: must be in [16, 256], "
                        + "found 8 (dataset shapes; 'camloss plugins' lists its parameters)");
    }

    @Test
    void dataOfAnotherInputSize() {
        refused(
                b -> b.dataParam("size", 24),
                "--data shapes: its images are 24x24x3 (shapes(classes=6,size=24,seed=0)) but the model of " + runDir
                        + " takes 16x16x3 images (the shape it was trained on, in its run.json); few-shot features "
                        + "need images of the model's input shape");
    }

    @Test
    void numbersOutOfRange() {
        refused(b -> b.ways(List.of(5, 1)), "--ways 1: must be at least 2 (an episode tells classes apart)");
        refused(b -> b.ways(List.of()), "--ways: empty; give one or more numbers of classes per episode, e.g. 5");
        refused(b -> b.shots(List.of(0)), "--shots 0: must be at least 1");
        refused(b -> b.queries(0), "--queries 0: must be at least 1");
        refused(b -> b.episodes(0), "--episodes 0: must be in [1, 1000000]");
        refused(
                b -> b.classifiers(List.of()),
                "--classifier: empty; give one or more of [prototype, prototype-cosine, logistic, nearest]");
    }

    @Test
    void aMissingOrUnfinishedRun(@TempDir Path tmp) throws Exception {
        Path none = tmp.resolve("none");
        assertEquals(
                none + ": not a run directory (it does not exist or is not a directory)",
                assertThrows(
                                UserException.class,
                                () -> camloss.fewShot(
                                        FewShotRequest.builder(none).build(), FewShotListener.NONE))
                        .getMessage());
        Path failed = copyOfTheRun(tmp.resolve("failed"), p -> {
            p.put("status", "failed");
            p.put("error", "loss is NaN at epoch 1, batch 2");
        });
        assertEquals(
                failed + ": the run failed (loss is NaN at epoch 1, batch 2) and has no model; few-shot evaluation "
                        + "needs a finished run",
                message(failed));
        Path interrupted = copyOfTheRun(tmp.resolve("interrupted"), p -> p.put("status", "interrupted"));
        assertEquals(
                interrupted + ": the run was interrupted; finish it with 'camloss resume " + interrupted + "'; "
                        + "few-shot evaluation needs a finished run",
                message(interrupted));
        Path running = copyOfTheRun(tmp.resolve("running"), p -> {
            p.put("status", "running");
            p.put("host", "elsewhere");
            p.put("heartbeat", Instant.now().toString());
        });
        assertTrue(
                message(running).startsWith(running + ": the run is still training (on elsewhere, heartbeat "),
                message(running));
        Path noModel = copyOfTheRun(tmp.resolve("no-model"), p -> {});
        assertEquals(
                noModel.resolve("model.zip") + ": missing; the run did not finish (see 'status' in run.json)",
                message(noModel));
        for (Path p : List.of(failed, interrupted, running, noModel)) {
            try (Stream<Path> files = Files.list(p)) {
                assertEquals(List.of(p.resolve("run.json")), files.toList(), "nothing written into " + p);
            }
        }
    }

    /** A directory holding the run's run.json (no model) with its provenance edited. */
    private static Path copyOfTheRun(Path dir, Consumer<Map<String, Object>> edit) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = Json.read(runDir.resolve("run.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> provenance = (Map<String, Object>) json.get("provenance");
        edit.accept(provenance);
        Json.write(dir.resolve("run.json"), json);
        return dir;
    }

    private static String message(Path run) {
        return assertThrows(
                        UserException.class, () -> camloss.fewShot(request(run).build(), FewShotListener.NONE))
                .getMessage();
    }

    private static String message(Consumer<FewShotRequest.Builder> change) {
        FewShotRequest.Builder b = request();
        change.accept(b);
        return assertThrows(UserException.class, () -> camloss.fewShot(b.build(), FewShotListener.NONE))
                .getMessage();
    }

    /** The request changed by {@code change} is refused with {@code expected}, and the run directory is unchanged. */
    private static void refused(Consumer<FewShotRequest.Builder> change, String expected) {
        List<Path> before = files(runDir);
        assertEquals(expected, message(change));
        assertEquals(before, files(runDir), "nothing written");
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.sorted().toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> json, String key) {
        return json.get(key) instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
