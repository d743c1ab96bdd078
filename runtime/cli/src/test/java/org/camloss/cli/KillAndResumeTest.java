package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.Provenance;
import org.camloss.runtime.train.MetricsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real training process killed with SIGKILL at a random step, or stopped with SIGTERM, and resumed: at most the
 * epoch in progress is lost, the run then finishes with every epoch's metrics.
 */
class KillAndResumeTest {
    static final String CONFIG = String.join(
            "\n",
            "name: killed",
            "seed: 3",
            "data: { id: shapes, params: { train: 1920, test: 32, size: 16 } }",
            "backbone: { id: resnet-cifar, params: { depth: 8, width: 0.25 } }",
            "loss: { id: cam-loss }",
            "train: { epochs: 4, batch_size: 8, threads: 1, progress: false }",
            "");

    private static Process start(Path config, Path run) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(
                "-Xmx1g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "train",
                config.toString(),
                "--out",
                run.toString(),
                "--no-progress"));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(run.resolveSibling(run.getFileName() + ".log").toFile())
                .start();
    }

    /** Waits until the run has finished {@code epochs} epochs (and so written a checkpoint of them). */
    private static void awaitEpochs(Path run, int epochs, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (Files.exists(run.resolve("metrics.jsonl"))
                    && MetricsWriter.read(run.resolve("metrics.jsonl")).size() >= epochs) {
                return;
            }
            assertTrue(
                    p.isAlive(),
                    "the training process ended early: "
                            + Files.readString(run.resolveSibling(run.getFileName() + ".log")));
            Thread.sleep(50);
        }
        throw new AssertionError("no epoch finished within 3 minutes");
    }

    private static int resume(Path run) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("resume", run.toString(), "--no-progress");
        assertEquals(0, status, err.toString());
        assertTrue(out.toString().contains("report: " + run.resolve("report.html")), out.toString());
        assertTrue(java.nio.file.Files.isRegularFile(run.resolve("report.html")), "resume writes the report");
        return status;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> provenance(Path run) throws Exception {
        return (Map<String, Object>) Json.read(run.resolve("run.json")).get("provenance");
    }

    @Test
    void aProcessKilledAtARandomStepLosesAtMostThatEpoch(@TempDir Path tmp) throws Exception {
        Path config = Files.writeString(tmp.resolve("killed.yaml"), CONFIG);
        Path run = tmp.resolve("run");
        Process p = start(config, run);
        awaitEpochs(run, 1, p);
        // somewhere in epoch 2 (240 steps; with 480 images, after session 10's faster batch norm, an epoch took
        // 0.2-0.3 s and the last three could finish within the sleep)
        Thread.sleep(new Random().nextInt(1000));
        assertTrue(p.isAlive(), "the run finished before it could be killed: make its epochs longer");
        p.destroyForcibly().waitFor(); // SIGKILL: no hook runs
        Map<String, Object> prov = provenance(run);
        assertEquals("running", prov.get("status"), "a killed process cannot say it stopped");
        Provenance.Status status = Provenance.status(prov);
        assertEquals("interrupted", status.status(), status.detail());
        int done = MetricsWriter.read(run.resolve("metrics.jsonl")).size();

        resume(run);
        List<Map<String, Object>> rows = MetricsWriter.read(run.resolve("metrics.jsonl"));
        assertEquals(
                List.of(1, 2, 3, 4),
                rows.stream().map(r -> ((Number) r.get("epoch")).intValue()).toList());
        assertEquals("finished", provenance(run).get("status"));
        assertTrue(Files.exists(run.resolve("model.zip")));
        String from = (String) ((Map<?, ?>) ((List<?>) provenance(run).get("resumed")).get(0)).get("from");
        int epoch = Integer.parseInt(from.substring(6, 10));
        assertTrue(epoch >= done - 1 && epoch >= 1, "resumed from " + from + " after " + done + " finished epochs");
    }

    @Test
    void sigtermCheckpointsTheLastStepAndMarksTheRunInterrupted(@TempDir Path tmp) throws Exception {
        Path config = Files.writeString(tmp.resolve("stopped.yaml"), CONFIG);
        Path run = tmp.resolve("run");
        Process p = start(config, run);
        awaitEpochs(run, 1, p);
        Thread.sleep(300);
        p.destroy(); // SIGTERM: the shutdown hook stops training at the next step
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the process did not stop");
        String log = Files.readString(tmp.resolve("run.log"));
        Map<String, Object> prov = provenance(run);
        if (MetricsWriter.read(run.resolve("metrics.jsonl")).size() < 4) { // it may have finished meanwhile
            assertEquals("interrupted", prov.get("status"), log);
            assertTrue(String.valueOf(prov.get("error")).startsWith("training interrupted at epoch "), log);
            assertFalse(Files.exists(run.resolve("model.zip")));
            resume(run);
        }
        assertEquals("finished", provenance(run).get("status"));
        assertEquals(4, MetricsWriter.read(run.resolve("metrics.jsonl")).size());
    }
}
