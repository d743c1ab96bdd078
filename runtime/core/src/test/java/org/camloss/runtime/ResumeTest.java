package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.api.layers.StoredModels;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.train.BatchStats;
import org.camloss.runtime.train.MetricsWriter;
import org.camloss.runtime.train.TrainListener;
import org.camloss.runtime.train.TrainingCancelledException;
import org.camloss.runtime.train.TrainingFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs that survive: an interrupted run resumed from its checkpoint ends exactly where the uninterrupted one does (one
 * thread), statuses say what a run is, divergence fails a run, early stopping keeps the best model.
 */
class ResumeTest {
    /** A tiny run with mixup (regularizer draws) over three epochs of four batches, one thread. */
    static final Map<String, Object> RUN = Map.of(
            "name", "resume",
            "seed", 5,
            "data", Map.of("id", "shapes", "params", Map.of("train", 96, "test", 32, "size", 16)),
            "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.25)),
            "loss", Map.of("id", "cam-loss"),
            "regularizers", List.of(Map.of("id", "mixup")),
            "train", Map.of("epochs", 3, "batch_size", 24, "threads", 1, "progress", false));

    static int threads;

    @BeforeAll
    static void oneThread() {
        threads = Nd4j.getEnvironment().maxThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        Nd4j.getEnvironment().setMaxThreads(threads);
    }

    /** Interrupts the training thread after {@code batches} steps of the run. */
    static TrainListener interruptAfter(int batches) {
        return new TrainListener() {
            private int seen;

            @Override
            public void onBatchEnd(BatchStats s) {
                if (++seen == batches) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static List<Map<String, Object>> rows(Path run) throws Exception {
        return MetricsWriter.read(run.resolve("metrics.jsonl"));
    }

    private static void assertSameTraining(Path expected, Path actual) throws Exception {
        List<Map<String, Object>> a = rows(expected);
        List<Map<String, Object>> b = rows(actual);
        assertEquals(a.size(), b.size(), "epochs");
        for (int i = 0; i < a.size(); i++) {
            for (String key : List.of("train_loss", "train_ce", "train_cam", "test_accuracy", "test_ce")) {
                assertEquals(a.get(i).get(key), b.get(i).get(key), "epoch " + (i + 1) + " " + key);
            }
        }
        assertArrayEquals(
                StoredModels.readGraph(expected.resolve("model.zip"), false)
                        .params()
                        .toFloatVector(),
                StoredModels.readGraph(actual.resolve("model.zip"), false)
                        .params()
                        .toFloatVector(),
                "final weights");
    }

    @Test
    void aRunInterruptedAtAnEpochBoundaryOrMidEpochAndResumedTrainsAsTheUninterruptedOne(@TempDir Path tmp)
            throws Exception {
        Camloss camloss = Camloss.builder().build();
        ExperimentConfig config = camloss.config(RUN, List.of());
        Path whole = tmp.resolve("whole");
        camloss.train(config, whole);

        for (int steps : new int[] {4, 6}) { // after epoch 1; in the middle of epoch 2
            Path run = tmp.resolve("cut-" + steps);
            TrainingCancelledException e = assertThrows(
                    TrainingCancelledException.class, () -> camloss.train(config, run, interruptAfter(steps)));
            Thread.interrupted(); // the flag the listener set
            assertTrue(e.getMessage().startsWith("training interrupted at epoch " + (steps / 4 + 1)), e.getMessage());
            @SuppressWarnings("unchecked")
            Map<String, Object> prov =
                    (Map<String, Object>) Json.read(run.resolve("run.json")).get("provenance");
            assertEquals("interrupted", prov.get("status"));
            assertFalse(Files.exists(run.resolve("model.zip")));
            Camloss.TrainResult resumed = camloss.resume(run);
            assertEquals(3, resumed.summary().epochs().size());
            assertSameTraining(whole, run);
            @SuppressWarnings("unchecked")
            Map<String, Object> after =
                    (Map<String, Object>) Json.read(run.resolve("run.json")).get("provenance");
            assertEquals("finished", after.get("status"));
            assertEquals(1, ((List<?>) after.get("resumed")).size());
        }
    }

    @Test
    void whatCannotBeResumedSaysWhy(@TempDir Path tmp) throws Exception {
        Camloss camloss = Camloss.builder().build();
        ExperimentConfig config = camloss.config(RUN, List.of("train.epochs=1"));
        Path done = tmp.resolve("done");
        camloss.train(config, done);
        assertEquals(
                done + ": finished; nothing to resume (train a new run, or raise train.epochs in a copy of its "
                        + "run.json)",
                assertThrows(UserException.class, () -> camloss.resume(done)).getMessage());

        // a run whose run.json says running, written by this (live) process with a fresh heartbeat
        Path live = tmp.resolve("live");
        Files.createDirectories(live);
        Map<String, Object> json = Json.read(done.resolve("run.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> prov = (Map<String, Object>) json.get("provenance");
        prov.put("status", "running");
        prov.put("pid", ProcessHandle.current().pid());
        prov.put("heartbeat", java.time.Instant.now().toString());
        Json.write(live.resolve("run.json"), json);
        String m = assertThrows(UserException.class, () -> camloss.resume(live)).getMessage();
        assertTrue(
                m.startsWith(live + ": still running (process "
                        + ProcessHandle.current().pid()),
                m);
        assertTrue(assertThrows(UserException.class, () -> camloss.evaluate(live))
                .getMessage()
                .endsWith("missing; the run is still training (process "
                        + ProcessHandle.current().pid() + ", heartbeat 0 s ago)"));

        // the same run after its process died: interrupted, and resumable only with a checkpoint
        prov.put("pid", Long.MAX_VALUE);
        Json.write(live.resolve("run.json"), json);
        assertEquals(
                live.resolve("model.zip") + ": missing; the run was interrupted (it was running, but process "
                        + Long.MAX_VALUE + " is gone); continue it with 'camloss resume " + live + "'",
                assertThrows(UserException.class, () -> camloss.evaluate(live)).getMessage());
        assertEquals(
                live + ": has no checkpoint in checkpoints/ (it stopped before its first one); train it again",
                assertThrows(UserException.class, () -> camloss.resume(live)).getMessage());
    }

    @Test
    void aDivergingRunFailsWithTheRuleAndLeavesNoModel(@TempDir Path tmp) throws Exception {
        Camloss camloss = Camloss.builder().build();
        // Adam at lr 10: the loss climbs to hundreds (SGD at lr 10 kills the ReLUs instead and stays near chance)
        Map<String, Object> raw = new java.util.LinkedHashMap<>(RUN);
        raw.remove("regularizers");
        ExperimentConfig config = camloss.config(
                raw, List.of("optimizer.id=adam", "optimizer.params.lr=10", "train.batch_size=8", "train.epochs=4"));
        Path run = tmp.resolve("run");
        TrainingFailedException e = assertThrows(TrainingFailedException.class, () -> camloss.train(config, run));
        assertTrue(e.getMessage().startsWith("training diverged at epoch "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; try a lower learning rate (optimizer.params.lr)"), e.getMessage());
        @SuppressWarnings("unchecked")
        Map<String, Object> prov =
                (Map<String, Object>) Json.read(run.resolve("run.json")).get("provenance");
        assertEquals("failed", prov.get("status"));
        assertEquals(e.getMessage(), prov.get("error"));
        assertFalse(Files.exists(run.resolve("model.zip")));
        assertFalse(Files.readString(run.resolve("run.json")).contains("NaN"));
    }

    @Test
    void earlyStoppingKeepsTheBestModelAndSaysWhereItStopped(@TempDir Path tmp) throws Exception {
        Camloss camloss = Camloss.builder().build();
        // no improvement can be this large, so the run stops after the first epoch plus `patience` epochs
        ExperimentConfig config = camloss.config(
                RUN,
                List.of(
                        "train.epochs=5",
                        "train.early_stopping.metric=train_loss",
                        "train.early_stopping.patience=1",
                        "train.early_stopping.min_delta=1000"));
        Path run = tmp.resolve("run");
        Camloss.TrainResult r = camloss.train(config, run);
        assertEquals(2, r.summary().epochs().size());
        assertEquals(1, r.summary().stoppedEarlyAt());
        assertTrue(Files.exists(run.resolve("model-best.zip")));
        @SuppressWarnings("unchecked")
        Map<String, Object> prov =
                (Map<String, Object>) Json.read(run.resolve("run.json")).get("provenance");
        assertEquals(Map.of("best_epoch", 1, "after_epoch", 2), prov.get("stopped_early"));
        assertEquals(1, ((Map<?, ?>) prov.get("best")).get("epoch"));
        Camloss.EvalReport best = camloss.evaluate(run, Camloss.ModelChoice.BEST);
        assertTrue(Files.exists(run.resolve("eval-best.json")));
        assertEquals(32, best.result().count());
    }

    @Test
    void earlyStoppingOnATestMetricIsRefused() {
        Camloss camloss = Camloss.builder().build();
        var e = assertThrows(
                org.camloss.runtime.config.ConfigException.class,
                () -> camloss.config(RUN, List.of("train.early_stopping.metric=test_accuracy")));
        assertEquals(
                "--set: train.early_stopping.metric: must be a validation metric (val_accuracy, "
                        + "val_top5_accuracy, val_ce, val_cam_loss, ...; the data needs a validation split) or train_loss, "
                        + "found 'test_accuracy' (stopping on test metrics would tune on the test split)",
                e.getMessage());
    }
}
