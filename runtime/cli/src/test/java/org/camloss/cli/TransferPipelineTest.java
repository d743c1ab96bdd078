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
import org.camloss.api.layers.StoredModels;
import org.camloss.runtime.run.Json;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base/novel pipeline from the command line, in seconds on {@code shapes}: pretrain on three classes, a linear
 * probe on the three others from that model, few-shot episodes of the novel classes on the pretrained features; and
 * the refusals of a source that is missing or unfinished, with no run directory left behind.
 */
class TransferPipelineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int camloss(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    private static final String CONFIG =
            """
            name: pipeline
            seed: 4
            data: { id: shapes, classes: [0, 1, 2], params: { classes: 6, train: 96, test: 96, size: 16 } }
            backbone: { id: resnet-cifar, params: { depth: 8, width: 0.25 } }
            loss: { id: cam-loss }
            train: { epochs: 1, batch_size: 32, threads: 1 }
            """;

    private static List<String> train(Path config, Path out, String... sets) {
        List<String> args =
                new ArrayList<>(List.of("train", config.toString(), "--out", out.toString(), "--no-progress"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        return args;
    }

    @Test
    void pretrainThenProbeThenFewShotOnTheNovelClasses(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("pipeline.yaml");
        Files.writeString(config, CONFIG);
        Path source = tmp.resolve("source");
        assertEquals(0, camloss(train(config, source).toArray(String[]::new)), err.toString());

        Path probe = tmp.resolve("probe");
        assertEquals(
                0,
                camloss(train(
                                config,
                                probe,
                                "data.classes=[3, 4, 5]",
                                "data.train_per_class=8",
                                "init.from=" + source,
                                "freeze.backbone=true")
                        .toArray(String[]::new)),
                err.toString());
        Map<String, Object> run = Json.read(probe.resolve("run.json"));
        Map<?, ?> provenance = (Map<?, ?>) run.get("provenance");
        Map<?, ?> dataset = (Map<?, ?>) provenance.get("dataset");
        assertEquals(24, ((Number) dataset.get("train_size")).intValue(), "8 images of each of 3 classes");
        assertEquals(
                org.camloss.datasets.ShapesDatasetFactory.ALL_CLASSES.subList(3, 6),
                dataset.get("classes"),
                "the novel classes, relabelled 0..2");
        assertTrue(String.valueOf(((Map<?, ?>) provenance.get("init")).get("sha256"))
                .matches("[0-9a-f]{64}"));
        ComputationGraph before = StoredModels.readGraph(source.resolve("model.zip"), false);
        ComputationGraph after = StoredModels.readGraph(probe.resolve("model.zip"), false);
        for (String layer : List.of("stem_conv", "s1_b0_conv1", "s3_b0_conv2")) {
            assertEquals(
                    before.getLayer(layer).getParam("W"), after.getLayer(layer).getParam("W"), layer + " is frozen");
        }

        Path fewshot = tmp.resolve("fewshot.json");
        assertEquals(
                0,
                camloss(
                        "fewshot",
                        source.toString(),
                        "--classes",
                        "3,4,5",
                        "--ways",
                        "3",
                        "--shots",
                        "1",
                        "--queries",
                        "5",
                        "--episodes",
                        "10",
                        "--out",
                        fewshot.toString(),
                        "--no-progress"),
                err.toString());
        Map<String, Object> result = Json.read(fewshot);
        assertEquals(1, ((List<?>) result.get("results")).size());
    }

    @Test
    void aMissingOrUnfinishedSourceIsRefusedAndLeavesNoRun(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("pipeline.yaml");
        Files.writeString(config, CONFIG);
        Path target = tmp.resolve("target");
        assertEquals(
                2,
                camloss(train(config, target, "init.from=" + tmp.resolve("nowhere"))
                        .toArray(String[]::new)));
        assertTrue(err.toString().contains("init.from: " + tmp.resolve("nowhere") + " does not exist"), err.toString());
        assertFalse(err.toString().contains("Exception"), err.toString());
        assertFalse(Files.exists(target));

        Path unfinished = tmp.resolve("unfinished");
        Files.createDirectories(unfinished);
        Files.writeString(
                unfinished.resolve("run.json"),
                "{\"name\": \"u\", \"backbone\": {\"id\": \"resnet-cifar\"}, \"provenance\": {\"status\": \"failed\", "
                        + "\"failure\": \"diverged\"}}");
        err.getBuffer().setLength(0);
        assertEquals(2, camloss(train(config, target, "init.from=" + unfinished).toArray(String[]::new)));
        assertTrue(
                err.toString().contains("init.from: " + unfinished + " has no model.zip (the run is failed"),
                err.toString());
        assertFalse(Files.exists(target));
    }
}
