package org.camloss.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.api.layers.StoredModels;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.train.MetricsWriter;
import org.camloss.runtime.train.TrainListener;
import org.camloss.runtime.train.TrainingCancelledException;
import org.camloss.runtime.wiring.ExperimentParts;
import org.camloss.runtime.wiring.Wiring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A config with {@code engine: { id: spark, ... }} through the ordinary facade in {@code local[2]}, a few minibatches:
 * a complete run directory ({@code run.json} with the engine, master, workers and averaging rounds; a metrics row per
 * epoch; epoch checkpoints; {@code model.zip} with parameters the workers changed), which the ordinary
 * {@code evaluate} reads and {@code resume} continues on the engine.
 */
class SparkRunTest {
    private static final Camloss CAMLOSS = Camloss.builder().build();

    private static Map<String, Object> config(Map<String, Object> engineParams) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("name", "tiny-spark-run");
        raw.put("seed", 3);
        raw.put("data", Map.of("id", "shapes", "params", Map.of("train", 64, "test", 32, "size", 16)));
        raw.put("backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.5)));
        raw.put("loss", Map.of("id", "cam-loss", "params", Map.of("alpha", 0.5)));
        raw.put("train", Map.of("epochs", 2, "batch_size", 16, "progress", false));
        raw.put("engine", Map.of("id", "spark", "params", engineParams));
        return raw;
    }

    /** The parameters the run starts from (the same seed, the same assembly). */
    private static INDArray initialParams(ExperimentConfig c) {
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), c);
        return Wiring.training(c, parts, Duration.ofDays(1))
                .model()
                .graph()
                .params()
                .dup();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> provenance(Path run) throws Exception {
        return (Map<String, Object>) Json.read(run.resolve("run.json")).get("provenance");
    }

    private static List<String> checkpoints(Path run) throws Exception {
        try (var files = Files.list(run.resolve("checkpoints"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void trainsARunDirectoryThatEvaluatesAsUsual(@TempDir Path tmp) throws Exception {
        ExperimentConfig c =
                CAMLOSS.config(config(Map.of("master", "local[2]", "workers", 2, "averaging_frequency", 2)), List.of());
        INDArray initial = initialParams(c);
        Camloss.TrainResult result = CAMLOSS.train(c, tmp.resolve("run"));
        Path run = result.runDir();
        assertTrue(Files.exists(run.resolve("model.zip")));
        INDArray trained =
                StoredModels.readGraph(run.resolve("model.zip"), false).params();
        assertEquals(initial.length(), trained.length());
        assertNotEquals(initial, trained, "the driver's parameters did not change");
        assertEquals(List.of("ckpt-e0001-b000000.zip", "ckpt-e0002-b000000.zip"), checkpoints(run));
        List<Map<String, Object>> rows = MetricsWriter.read(run.resolve("metrics.jsonl"));
        assertEquals(2, rows.size());
        for (Map<String, Object> row : rows) {
            // batch_per_worker 0: train.batch_size / workers = 8, so 64 images make 8 minibatches per epoch
            assertEquals(8, ((Number) row.get("engine_steps")).intValue(), row.toString());
            assertTrue(row.containsKey("test_accuracy"), row.toString());
            // the epoch's means over the workers' minibatches, as a single process writes them: the loss is the
            // weighted sum of the terms in every step, so also in the means (alpha 0.5)
            double loss = ((Number) row.get("train_loss")).doubleValue();
            double ce = ((Number) row.get("train_ce")).doubleValue();
            double cam = ((Number) row.get("train_cam")).doubleValue();
            assertTrue(Double.isFinite(loss) && ce > 0 && cam > 0, row.toString());
            assertEquals(ce + 0.5 * cam, loss, 1e-5, row.toString());
        }
        assertNotEquals(rows.get(0).get("train_ce"), rows.get(1).get("train_ce"));
        Map<String, Object> runJson = Json.read(run.resolve("run.json"));
        Map<String, Object> provenance = (Map<String, Object>) runJson.get("provenance");
        assertEquals("finished", provenance.get("status"));
        Map<String, Object> engine = (Map<String, Object>) provenance.get("engine");
        assertEquals("spark", engine.get("engine"));
        assertEquals("local[2]", engine.get("master"));
        assertEquals(2, ((Number) engine.get("workers")).intValue());
        // 8 minibatches per epoch over 2 workers at 2 minibatches each between averagings: 2 rounds per epoch
        assertEquals(4, ((Number) engine.get("rounds")).intValue());
        assertEquals(8, ((Number) engine.get("batch_per_worker")).intValue());
        assertTrue(((String) engine.get("spark_version")).startsWith("3."), engine.toString());
        assertEquals(0, ((Number) engine.get("executor_jvms")).intValue(), "local[2]: tasks in the driver's JVM");
        // the resolved config: every engine default filled in
        assertEquals(
                Map.of(
                        "id",
                        "spark",
                        "params",
                        Map.of("master", "local[2]", "workers", 2, "averaging_frequency", 2, "batch_per_worker", 0)),
                runJson.get("engine"));

        Camloss.EvalReport report = CAMLOSS.evaluate(run);
        assertEquals(32, report.result().count());
        assertTrue(Double.isFinite(report.result().crossEntropy()));
    }

    @Test
    void anInterruptedSparkRunResumesOnTheEngine(@TempDir Path tmp) throws Exception {
        ExperimentConfig c =
                CAMLOSS.config(config(Map.of("master", "local[2]", "workers", 2, "averaging_frequency", 1)), List.of());
        Path run = tmp.resolve("run");
        // stopped as a signal stops it: the training thread is interrupted, here when epoch 2 is about to start
        TrainListener stop = new TrainListener() {
            @Override
            public void onEpochStart(int epoch, int batches) {
                if (epoch == 1) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        assertThrows(TrainingCancelledException.class, () -> CAMLOSS.train(c, run, stop));
        Thread.interrupted();
        assertEquals("interrupted", provenance(run).get("status"));
        assertEquals(List.of("ckpt-e0001-b000000.zip"), checkpoints(run));
        Map<String, Object> first =
                MetricsWriter.read(run.resolve("metrics.jsonl")).get(0);
        INDArray atCheckpoint = StoredModels.readGraph(run.resolve("checkpoints/ckpt-e0001-b000000.zip"), false)
                .params();

        Camloss.TrainResult resumed = CAMLOSS.resume(run);
        assertEquals(run, resumed.runDir());
        Map<String, Object> provenance = provenance(run);
        assertEquals("finished", provenance.get("status"));
        assertEquals(1, ((List<?>) provenance.get("resumed")).size());
        @SuppressWarnings("unchecked")
        Map<String, Object> engine = (Map<String, Object>) provenance.get("engine");
        assertEquals("local[2]", engine.get("master"));
        // the resumed engine trained one epoch: 8 minibatches of 8 over 2 workers, averaging after each
        assertEquals(4, ((Number) engine.get("rounds")).intValue());
        List<Map<String, Object>> rows = MetricsWriter.read(run.resolve("metrics.jsonl"));
        assertEquals(2, rows.size());
        assertEquals(first, rows.get(0));
        assertEquals(2, ((Number) rows.get(1).get("epoch")).intValue());
        INDArray end = StoredModels.readGraph(run.resolve("model.zip"), false).params();
        assertNotEquals(atCheckpoint, end, "the resumed epoch changed nothing");
        // the learning-rate schedule continues where the checkpoint left it: 2 epochs of 4 single-process steps
        assertEquals(8, resumed.model().graph().getConfiguration().getIterationCount());
        assertEquals(32, CAMLOSS.evaluate(run).result().count());
    }

    @Test
    void badEngineSettingsAreRefusedBeforeTheRunDirectoryExists(@TempDir Path tmp) {
        ExperimentConfig c = CAMLOSS.config(config(Map.of("workers", 5, "wokers", 1)), List.of());
        UserException e = assertThrows(UserException.class, () -> CAMLOSS.train(c, tmp.resolve("run")));
        assertTrue(e.getMessage().startsWith("engine.params.wokers: "), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("run")));
    }
}
