package org.camloss.runtime.config;

import static org.camloss.runtime.config.ConfigTesting.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolved config, written out as a map, YAML or JSON, loads back to an equal config. */
class RoundTripTest {
    private final ConfigLoader loader = new ConfigLoader(FakePlugins.registry());

    @TempDir
    Path dir;

    private ExperimentConfig full() {
        return loader.load(fixture(dir, "config-full.yaml", "experiment.yaml"));
    }

    /** Strings that YAML could mistake for numbers, booleans or null. */
    private ExperimentConfig tricky() {
        return loader.fromMap(
                Map.of(),
                "x",
                List.of(
                        "name=\"1e-3\"",
                        "seed=-1152921504606846976",
                        "distill.teacher=\"~\"",
                        "distill.distillers.0.id=caam-cam",
                        "distill.distillers.0.params.tag=\"0x10\"",
                        "distill.distillers.1.id=caam-cam",
                        "distill.distillers.1.params.tag=\"no\"",
                        "distill.distillers.2.id=caam-cam",
                        "distill.distillers.2.params.tag=\"\"",
                        "distill.distillers.3.id=caam-cam",
                        "distill.distillers.3.params.tag=\"- a: b # c\"",
                        "optimizer.params.lr=1e-7",
                        "optimizer.params.weight_decay=0"));
    }

    @Test
    void throughAMap() {
        for (ExperimentConfig c : List.of(full(), tricky(), loader.fromMap(Map.of(), "x"))) {
            assertEquals(c, loader.fromMap(c.toMap(), "run.json"));
        }
    }

    @Test
    void throughYaml() throws Exception {
        for (ExperimentConfig c : List.of(full(), tricky(), loader.fromMap(Map.of(), "x"))) {
            Path file = dir.resolve("resolved.yaml");
            ConfigWriter.writeYaml(c, file);
            assertEquals(c, loader.load(file), ConfigWriter.toYaml(c));
        }
    }

    @Test
    void throughJson() throws Exception {
        for (ExperimentConfig c : List.of(full(), tricky(), loader.fromMap(Map.of(), "x"))) {
            Path file = dir.resolve("run.json");
            ConfigWriter.writeJson(c, file);
            assertEquals(c, loader.load(file), ConfigWriter.toJson(c));
        }
    }

    @Test
    void theTrickyValuesSurvive() {
        ExperimentConfig c = tricky();
        assertEquals("1e-3", c.name());
        assertEquals("~", c.distill().orElseThrow().teacher());
        assertEquals(
                List.of("0x10", "no", "", "- a: b # c"),
                c.distill().orElseThrow().distillers().stream()
                        .map(d -> d.params().get("tag"))
                        .toList());
    }

    @Test
    void theResolvedYamlListsEveryDefault() {
        assertEquals(
                """
                name: experiment
                seed: 0
                data:
                  id: shapes
                  params:
                    train: 2000
                    test: 500
                    size: 32
                backbone:
                  id: resnet-cifar
                  params:
                    depth: 20
                    width: 16
                loss:
                  id: cross-entropy
                  params: {}
                regularizers: []
                optimizer:
                  id: sgd
                  params:
                    lr: 0.1
                    momentum: 0.9
                    nesterov: false
                    weight_decay: 5.0E-4
                schedule:
                  id: cosine
                  params:
                    final_lr: 0.0
                    warmup_epochs: 0
                train:
                  epochs: 8
                  batch_size: 128
                  threads: 0
                  progress: true
                  checkpoint_every_epochs: 1
                  checkpoint_every_minutes: 0.0
                  checkpoints_kept: 2
                  divergence_factor: 10.0
                freeze:
                  backbone: false
                  stages: 0
                  batch_norm: inference
                lr_mult:
                  backbone: 1.0
                  head: 1.0
                """,
                ConfigWriter.toYaml(loader.fromMap(Map.of("loss", Map.of("id", "cross-entropy")), "x")));
    }

    @Test
    void theResolvedJson() {
        ExperimentConfig c = loader.fromMap(
                Map.of("loss", Map.of("id", "cross-entropy")),
                "x",
                List.of("optimizer.id=adam", "schedule.id=constant", "data.params.size=16"));
        assertEquals(
                """
                {
                  "name" : "experiment",
                  "seed" : 0,
                  "data" : {
                    "id" : "shapes",
                    "params" : {
                      "train" : 2000,
                      "test" : 500,
                      "size" : 16
                    }
                  },
                  "backbone" : {
                    "id" : "resnet-cifar",
                    "params" : {
                      "depth" : 20,
                      "width" : 16
                    }
                  },
                  "loss" : {
                    "id" : "cross-entropy",
                    "params" : { }
                  },
                  "regularizers" : [ ],
                  "optimizer" : {
                    "id" : "adam",
                    "params" : {
                      "lr" : 0.001,
                      "beta1" : 0.9,
                      "beta2" : 0.999,
                      "eps" : 1.0E-8,
                      "weight_decay" : 0.0
                    }
                  },
                  "schedule" : {
                    "id" : "constant",
                    "params" : { }
                  },
                  "train" : {
                    "epochs" : 8,
                    "batch_size" : 128,
                    "threads" : 0,
                    "progress" : true,
                    "checkpoint_every_epochs" : 1,
                    "checkpoint_every_minutes" : 0.0,
                    "checkpoints_kept" : 2,
                    "divergence_factor" : 10.0
                  },
                  "freeze" : {
                    "backbone" : false,
                    "stages" : 0,
                    "batch_norm" : "inference"
                  },
                  "lr_mult" : {
                    "backbone" : 1.0,
                    "head" : 1.0
                  }
                }
                """,
                ConfigWriter.toJson(c));
    }
}
