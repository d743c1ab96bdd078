package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ConfigProblem;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.train.BatchStats;
import org.camloss.runtime.train.EpochStats;
import org.camloss.runtime.train.RunInfo;
import org.camloss.runtime.train.RunSummary;
import org.camloss.runtime.train.TrainListener;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade end to end on a tiny shapes experiment: train, run directory, evaluate, never overwrite. */
class CamlossTest {
    static final Map<String, Object> TINY = Map.of(
            "name", "tiny",
            "seed", 3,
            "data", Map.of("id", "shapes", "params", Map.of("train", 96, "test", 48, "size", 16)),
            "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.5)),
            "loss", Map.of("id", "cam-loss"),
            "train", Map.of("epochs", 2, "batch_size", 32, "progress", false));

    static Camloss.TrainResult result;
    static Path runDir;
    static TrainListener listener = mock(TrainListener.class);

    @BeforeAll
    static void trainOnce(@TempDir Path tmp) {
        Camloss camloss = Camloss.builder()
                .listener(listener)
                .runsRoot(tmp.resolve("runs"))
                .build();
        result = camloss.train(camloss.config(TINY, List.of()), null);
        runDir = result.runDir();
    }

    @Test
    void listenersSeeEveryStepAndEpoch() {
        verify(listener, times(1)).onRunStart(any(RunInfo.class));
        verify(listener, times(2 * 3)).onBatchEnd(any(BatchStats.class));
        verify(listener, times(2)).onEpochEnd(any(EpochStats.class));
        verify(listener, times(1)).onRunEnd(any(RunSummary.class));
    }

    /**
     * With the command line's settings, {@code train.threads: 0} runs even a batch of 32 on every core (or {@code
     * OMP_NUM_THREADS}): two threads measured faster than one at batch 8-32 since the oneDNN layers (issue 16).
     */
    @Test
    void automaticThreadsUseEveryCoreAtSmallBatches(@TempDir Path tmp) throws Exception {
        int before = org.camloss.engine.Backend.threads();
        try {
            org.camloss.engine.Backend.setThreads(1);
            Map<String, Object> oneEpoch = new LinkedHashMap<>(TINY);
            oneEpoch.put("train", Map.of("epochs", 1, "batch_size", 32, "threads", 0, "progress", false));
            Camloss camloss = Camloss.builder()
                    .runsRoot(tmp.resolve("runs"))
                    .settings(RuntimeSettings.commandLine())
                    .build();
            Path dir = camloss.train(camloss.config(oneEpoch, List.of()), null).runDir();
            @SuppressWarnings("unchecked")
            Map<String, Object> prov =
                    (Map<String, Object>) Json.read(dir.resolve("run.json")).get("provenance");
            String omp = System.getenv("OMP_NUM_THREADS");
            int cores = omp != null && omp.matches("\\d+") && Integer.parseInt(omp) > 0
                    ? Integer.parseInt(omp)
                    : Runtime.getRuntime().availableProcessors();
            int expected = Math.min(
                    cores, org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads());
            assertEquals(expected, ((Number) prov.get("threads")).intValue(), prov.toString());
            assertTrue(prov.get("threads_policy").toString().startsWith("auto"), prov.toString());
        } finally {
            org.camloss.engine.Backend.setThreads(before);
        }
    }

    @Test
    void runDirectoryHoldsConfigProvenanceMetricsAndModel() throws Exception {
        assertTrue(runDir.getFileName().toString().startsWith("tiny-"), runDir.toString());
        Map<String, Object> run = Json.read(runDir.resolve("run.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> prov = (Map<String, Object>) run.get("provenance");
        assertEquals("finished", prov.get("status"));
        for (String key : List.of(
                "camloss_version",
                "dl4j_version",
                "java",
                "os",
                "backend",
                "threads",
                "seed",
                "dataset",
                "started",
                "finished")) {
            assertNotNull(prov.get(key), "provenance lacks " + key);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> plugins = (List<Map<String, Object>>) prov.get("plugins");
        assertEquals(
                List.of("dataset shapes", "backbone resnet-cifar", "loss cam-loss", "optimizer sgd", "schedule cosine"),
                plugins.stream().map(m -> m.get("kind") + " " + m.get("id")).toList());
        assertEquals("ND4J default", prov.get("threads_policy"), "the library leaves ND4J's threads alone by default");
        Map<String, Object> loss = plugins.get(2);
        assertEquals("org.camloss.losses.CamLossFactory", loss.get("class"));
        assertTrue(loss.get("jar").toString().contains("plugins-losses"), loss.toString());
        assertNotNull(loss.get("version"));
        // the run.json minus provenance is itself a valid config, equal to the resolved one
        Map<String, Object> config = new LinkedHashMap<>(run);
        config.remove("provenance");
        ExperimentConfig again = Camloss.builder().build().config(config, List.of());
        assertEquals(result.config(), again);

        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        Map<?, ?> row = new ObjectMapper().readValue(lines.get(1), Map.class);
        for (String key : List.of(
                "epoch",
                "train_loss",
                "train_ce",
                "train_cam",
                "test_accuracy",
                "images_per_sec",
                "test_caam_pointing",
                "test_cam_energy")) {
            assertTrue(row.containsKey(key), "metrics.jsonl lacks " + key + ": " + row.keySet());
        }
        assertEquals(2, row.get("epoch"));
        assertTrue(Files.size(runDir.resolve("model.zip")) > 1000);
    }

    @Test
    void runJsonIsAConfigThatRerunsTheExperiment() {
        ExperimentConfig again = Camloss.builder().build().loadConfig(runDir.resolve("run.json"), List.of());
        assertEquals(result.config(), again);
    }

    @Test
    void evaluationOfTheSavedModelMatchesTheLastEpoch() {
        Camloss.EvalReport report = Camloss.builder().build().evaluate(runDir);
        double last = ((Number) result.summary().last().get("test_accuracy")).doubleValue();
        assertEquals(last, report.result().accuracy(), 1e-9);
        assertEquals(
                ((Number) result.summary().last().get("test_cam_loss")).doubleValue(),
                report.result().camLoss(),
                1e-5);
        assertTrue(Files.exists(runDir.resolve("eval.json")));
    }

    @Test
    void evaluatingARunWhosePluginJarIsMissingSaysWhichJarItCameFrom(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Map<String, Object> json = Json.read(runDir.resolve("run.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> backbone = (Map<String, Object>) json.get("backbone");
        backbone.put("id", "plain-cnn");
        backbone.put("params", Map.of("width", 4));
        @SuppressWarnings("unchecked")
        Map<String, Object> prov = (Map<String, Object>) json.get("provenance");
        prov.put(
                "plugins",
                List.of(Map.of(
                        "kind",
                        "backbone",
                        "id",
                        "plain-cnn",
                        "class",
                        "org.example.PlainCnn",
                        "jar",
                        "/opt/plugins/example.jar",
                        "version",
                        "0.1.0")));
        Json.write(run.resolve("run.json"), json);
        ConfigException e = assertThrows(
                ConfigException.class, () -> Camloss.builder().build().evaluate(run));
        assertTrue(
                e.getMessage()
                        .startsWith(run.resolve("run.json") + ": backbone.id: no backbone plugin " + "'plain-cnn'; "),
                e.getMessage());
        assertTrue(
                e.getMessage()
                        .endsWith(" (the run was trained with it from /opt/plugins/example.jar; put that jar "
                                + "on the plugin path, e.g. --plugins /opt/plugins/example.jar)"),
                e.getMessage());
    }

    /** A regularizer whose batch transform fails, as a buggy plugin would. */
    static final class FailingRegularizer implements org.camloss.api.RegularizerFactory {
        @Override
        public String id() {
            return "failing";
        }

        @Override
        public String description() {
            return "Fails on the second batch.";
        }

        @Override
        public org.camloss.api.Regularizer create(org.camloss.api.Params params) {
            return new org.camloss.api.Regularizer() {
                private int calls;

                @Override
                public org.camloss.api.data.Batch apply(
                        org.camloss.api.data.Batch batch, java.util.random.RandomGenerator rng) {
                    if (++calls == 2) {
                        throw new IllegalStateException("boom");
                    }
                    return batch;
                }
            };
        }
    }

    @Test
    void aPluginFailingMidRunFailsTheRunWithWhereAndWhy(@TempDir Path tmp) throws Exception {
        org.camloss.runtime.registry.PluginRegistry registry = org.camloss.runtime.registry.PluginRegistry.builder()
                .addDiscovered(CamlossTest.class.getClassLoader())
                .register(org.camloss.runtime.registry.PluginKind.REGULARIZER, new FailingRegularizer())
                .build();
        Camloss camloss = Camloss.builder().registry(registry).build();
        ExperimentConfig cfg = camloss.config(TINY, List.of("regularizers.0.id=failing"));
        Path dir = tmp.resolve("run");
        org.camloss.runtime.train.TrainingFailedException e =
                assertThrows(org.camloss.runtime.train.TrainingFailedException.class, () -> camloss.train(cfg, dir));
        assertEquals("training failed at epoch 1, batch 2: java.lang.IllegalStateException: boom", e.getMessage());
        assertEquals("boom", e.getCause().getMessage());
        @SuppressWarnings("unchecked")
        Map<String, Object> prov =
                (Map<String, Object>) Json.read(dir.resolve("run.json")).get("provenance");
        assertEquals("failed", prov.get("status"));
        assertEquals(e.getMessage(), prov.get("error"));
        assertTrue(Files.notExists(dir.resolve("model.zip")));
    }

    @Test
    void aCancelledRunStopsAtAStepBoundary(@TempDir Path tmp) throws Exception {
        TrainListener canceller = new TrainListener() {
            @Override
            public void onBatchEnd(BatchStats s) {
                Thread.currentThread().interrupt();
            }
        };
        Camloss camloss = Camloss.builder().listener(canceller).build();
        Path dir = tmp.resolve("run");
        try {
            org.camloss.runtime.train.TrainingCancelledException e = assertThrows(
                    org.camloss.runtime.train.TrainingCancelledException.class,
                    () -> camloss.train(camloss.config(TINY, List.of()), dir));
            assertEquals(
                    "training interrupted at epoch 1, batch 2; a checkpoint of the steps before it was saved",
                    e.getMessage());
        } finally {
            Thread.interrupted(); // clear the flag for the next test
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> prov =
                (Map<String, Object>) Json.read(dir.resolve("run.json")).get("provenance");
        assertEquals("interrupted", prov.get("status"));
    }

    /** A backbone declaring 8 channels where its graph gives 4, as a broken third-party backbone would. */
    static final class MisdeclaredBackbone implements org.camloss.api.BackboneFactory {
        @Override
        public String id() {
            return "misdeclared";
        }

        @Override
        public String description() {
            return "Declares the wrong channel count.";
        }

        @Override
        public org.camloss.api.Backbone create(org.camloss.api.Params params) {
            return new org.camloss.api.Backbone() {
                @Override
                public org.camloss.api.BackboneInfo info() {
                    return new org.camloss.api.BackboneInfo(
                            8, 1, List.of(new org.camloss.api.BackboneInfo.Stage("conv_bn", 8, 1)));
                }

                @Override
                public String build(org.camloss.api.BackboneContext ctx) {
                    return new org.camloss.api.layers.Layers(ctx)
                            .convBnAct(
                                    "conv",
                                    ctx.input(),
                                    ctx.shape().channels(),
                                    4,
                                    3,
                                    1,
                                    org.nd4j.linalg.activations.Activation.RELU);
                }
            };
        }
    }

    @Test
    void aBackboneWhoseDeclarationDisagreesWithItsGraphIsABadInputNamedBeforeAnyDirectoryIsMade(@TempDir Path tmp) {
        org.camloss.runtime.registry.PluginRegistry registry = org.camloss.runtime.registry.PluginRegistry.builder()
                .addDiscovered(CamlossTest.class.getClassLoader())
                .register(org.camloss.runtime.registry.PluginKind.BACKBONE, new MisdeclaredBackbone())
                .build();
        Camloss camloss = Camloss.builder().registry(registry).build();
        ExperimentConfig cfg = camloss.config(TINY, List.of("backbone.id=misdeclared", "backbone.params="));
        Path dir = tmp.resolve("run");
        UserException e = assertThrows(UserException.class, () -> camloss.train(cfg, dir));
        assertEquals(
                "backbone 'misdeclared' declares 8 channels at its feature vertex 'conv_bn' but the graph gives 4",
                e.getMessage());
        assertTrue(Files.notExists(dir), "a run directory was made for a model that cannot be assembled");
    }

    @Test
    void featureMapsSmallerThanTwoByTwoAndZeroEpsilonsAreRefusedBeforeTraining(@TempDir Path tmp) {
        Camloss camloss = Camloss.builder().build();
        ExperimentConfig small = camloss.config(TINY, List.of("backbone.id=vgg", "backbone.params={depth: 11}"));
        ConfigException e = assertThrows(ConfigException.class, () -> camloss.train(small, tmp.resolve("a")));
        assertEquals(
                "config: backbone: vgg (total stride 32) gives a 1x1 feature map on the data's 16x16 images; CAMs, "
                        + "CAM-loss and the localisation metrics need at least 2x2: use larger images, or a backbone with a "
                        + "smaller stride (vgg and alexnet: last_pool: false)",
                e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("a")));
        ConfigException eps =
                assertThrows(ConfigException.class, () -> camloss.config(TINY, List.of("loss.params.eps=0")));
        assertEquals("--set: loss.params.eps: must be in (0, 1], found 0", eps.getMessage());
    }

    @Test
    void neverOverwritesARun() {
        Camloss camloss = Camloss.builder().build();
        UserException e =
                assertThrows(UserException.class, () -> camloss.train(camloss.config(TINY, List.of()), runDir));
        assertTrue(e.getMessage().startsWith("--out " + runDir + ": already exists"), e.getMessage());
    }

    @Test
    void pluginRulesBetweenParametersAreReportedWithEveryOtherProblem() {
        Camloss camloss = Camloss.builder().build();
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> camloss.config(
                        TINY, List.of("backbone.params.depth=10", "train.epochs=0", "data.params.min_scale=0.9")));
        assertEquals(
                List.of(
                        "config and --set: data.params: min_scale must be <= max_scale, found min_scale=0.9 > max_scale=0.6",
                        "config and --set: backbone.params: depth must be 6n+2 (8, 14, 20, 32, 44, 56, 110), found 10",
                        "--set: train.epochs: must be in [1, 100000], found 0"),
                e.problems().stream().map(ConfigProblem::render).toList());
    }

    @Test
    void convolutionsRunWithOneDnnHelpers() {
        boolean found = false;
        for (org.deeplearning4j.nn.api.Layer l : result.model().graph().getLayers()) {
            if (l instanceof ConvolutionLayer c) {
                assertNotNull(
                        c.getHelper(), "convolution " + l.conf().getLayer().getLayerName() + " has no helper");
                found = true;
            }
        }
        assertTrue(found);
    }

    @Test
    void evaluatingSomethingThatIsNotARunIsAUserError() {
        UserException e = assertThrows(
                UserException.class, () -> Camloss.builder().build().evaluate(runDir.resolve("nope")));
        assertEquals(
                runDir.resolve("nope") + ": not a run directory (it does not exist or is not a directory)",
                e.getMessage());
    }

    @Test
    void aCorruptModelIsAUserError(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("run");
        Files.createDirectories(copy);
        Files.copy(runDir.resolve("run.json"), copy.resolve("run.json"));
        Files.writeString(copy.resolve("model.zip"), "not a zip");
        UserException e = assertThrows(
                UserException.class, () -> Camloss.builder().build().evaluate(copy));
        assertTrue(
                e.getMessage().startsWith("model: " + copy.resolve("model.zip") + " is not a readable camloss model"),
                e.getMessage());
        verify(listener, atLeastOnce())
                .onEpochStart(org.mockito.ArgumentMatchers.anyInt(), org.mockito.ArgumentMatchers.anyInt());
    }
}
