package org.camloss.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.run.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config with {@code engine: { id: spark, ... }} through the ordinary facade: a complete run directory whose
 * {@code run.json} records the engine, and a model the ordinary {@code evaluate} reads.
 */
class SparkRunTest {
    private static final Camloss CAMLOSS = Camloss.builder().build();

    private static Map<String, Object> config(Map<String, Object> engineParams) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("name", "tiny-spark-run");
        raw.put("seed", 3);
        raw.put("data", Map.of("id", "shapes", "params", Map.of("train", 64, "test", 32, "size", 16)));
        raw.put("backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.5)));
        raw.put("loss", Map.of("id", "cam-loss"));
        raw.put("train", Map.of("epochs", 2, "batch_size", 16, "progress", false));
        raw.put("engine", Map.of("id", "spark", "params", engineParams));
        return raw;
    }

    @Test
    @SuppressWarnings("unchecked")
    void trainsARunDirectoryThatEvaluatesAsUsual(@TempDir Path tmp) throws Exception {
        ExperimentConfig c =
                CAMLOSS.config(config(Map.of("master", "local[2]", "workers", 2, "averaging_frequency", 2)), List.of());
        Camloss.TrainResult result = CAMLOSS.train(c, tmp.resolve("run"));
        Path run = result.runDir();
        assertTrue(Files.exists(run.resolve("model.zip")));
        List<String> rows = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(2, rows.size());
        Map<String, Object> runJson = Json.read(run.resolve("run.json"));
        Map<String, Object> provenance = (Map<String, Object>) runJson.get("provenance");
        assertEquals("finished", provenance.get("status"));
        Map<String, Object> engine = (Map<String, Object>) provenance.get("engine");
        assertEquals("local[2]", engine.get("master"));
        assertEquals(2, ((Number) engine.get("workers")).intValue());
        // 4 minibatches per epoch over 2 workers at 2 minibatches each between averagings: 1 round per epoch
        assertEquals(2, ((Number) engine.get("rounds")).intValue());
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
    void badEngineSettingsAreRefusedBeforeTheRunDirectoryExists(@TempDir Path tmp) {
        ExperimentConfig c = CAMLOSS.config(config(Map.of("workers", 5, "wokers", 1)), List.of());
        UserException e = assertThrows(UserException.class, () -> CAMLOSS.train(c, tmp.resolve("run")));
        assertTrue(e.getMessage().startsWith("engine.params.wokers: "), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("run")));
    }
}
