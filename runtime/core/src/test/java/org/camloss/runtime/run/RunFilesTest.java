package org.camloss.runtime.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.layers.Layers;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.runtime.train.MetricsWriter;
import org.camloss.runtime.train.TrainState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;

/** Run-directory files: JSON without NaN, checkpoints kept and read back, metrics rows surviving a cut last line. */
class RunFilesTest {
    @Test
    void jsonHasNoNanOrInfinityAndSaysWhere(@TempDir Path tmp) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", 0.5);
        m.put("ce", Double.POSITIVE_INFINITY);
        m.put("per_class_accuracy", Map.of("cat", Double.NaN));
        m.put("curve", List.of(0.1, Double.NaN));
        assertEquals(List.of("ce", "per_class_accuracy.cat", "curve.1"), Json.nonFinite(m));
        Json.write(tmp.resolve("x.json"), m);
        String text = Files.readString(tmp.resolve("x.json"));
        assertFalse(text.contains("NaN") || text.contains("Infinity"), text);
        Map<String, Object> back = Json.read(tmp.resolve("x.json"));
        assertNull(back.get("ce"));
        assertEquals(0.5, back.get("accuracy"));
        assertEquals(Arrays.asList(0.1, null), back.get("curve"));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(tmp.resolve("x.json")), files.toList(), "a temporary file was left behind");
        }
    }

    @Test
    void metricsRowsSurviveALastLineCutShortByACrash(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("metrics.jsonl");
        Files.writeString(file, "{\"epoch\":1,\"train_loss\":1.2}\n{\"epoch\":2,\"train_lo");
        assertEquals(List.of(Map.of("epoch", 1, "train_loss", 1.2)), MetricsWriter.read(file));
        MetricsWriter.rewrite(file, MetricsWriter.read(file));
        assertEquals("{\"epoch\":1,\"train_loss\":1.2}\n", Files.readString(file));
    }

    /** A one-block backbone for a real model to checkpoint. */
    private static Backbone tiny() {
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(4, 1, List.of(new BackboneInfo.Stage("c_bn", 4, 1)));
            }

            @Override
            public String build(BackboneContext ctx) {
                return new Layers(ctx).convBnAct("c", ctx.input(), 3, 4, 3, 1, Activation.RELU);
            }
        };
    }

    @Test
    void checkpointsKeepTheNewestAndCarryTheTrainingState(@TempDir Path tmp) {
        CamModel model = new ModelAssembler()
                .assemble(tiny(), new InputShape(3, 8, 8), 3, Objective.of(ctx -> List.of(CrossEntropy.term(ctx))));
        Checkpoints c = RunDirectory.create(tmp.resolve("run"), tmp, "x").checkpoints();
        TrainState last = null;
        for (int e = 0; e < 4; e++) {
            last = new TrainState(
                    e,
                    e % 2 == 0 ? 0 : 7,
                    e % 2 == 0 ? Map.of() : Map.of("seen", 56, "loss_sum", 60.5),
                    1.38,
                    List.of(1.2, 1.1),
                    0.5 + e / 10.0,
                    e,
                    0);
            c.save(model.graph(), last, 2);
        }
        assertEquals(
                List.of("ckpt-e0002-b000000.zip", "ckpt-e0003-b000007.zip"),
                c.list().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(c.list().get(1), c.latest().orElseThrow());
        assertEquals(last, Checkpoints.state(c.latest().orElseThrow()));
        assertTrue(Files.exists(c.dir()));
    }
}
