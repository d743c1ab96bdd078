package org.camloss.runtime.config;

import static org.camloss.runtime.config.ConfigTesting.fixture;
import static org.camloss.runtime.config.ConfigTesting.problems;
import static org.camloss.runtime.config.ConfigTesting.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading config files: the documented example, every problem at once, syntax errors, unreadable files. */
class ConfigLoaderTest {
    private static final String TOP = "[name, seed, data, backbone, loss, regularizers, optimizer, schedule, train, "
            + "distill, init, freeze, lr_mult, engine]";

    private final ConfigLoader loader = new ConfigLoader(FakePlugins.registry());

    @TempDir
    Path dir;

    @Test
    void loadsTheDocumentedExample() {
        ExperimentConfig c = loader.load(fixture(dir, "config-full.yaml", "experiment.yaml"));
        assertEquals("shapes-camloss", c.name());
        assertEquals(7L, c.seed());
        assertEquals(new PluginSpec("shapes", Map.of("train", 5000, "test", 1000, "size", 32)), c.data());
        assertEquals(new PluginSpec("resnet-cifar", Map.of("depth", 8, "width", 16)), c.backbone());
        assertEquals("cam-loss", c.loss().id());
        assertEquals(
                List.of("alpha", "routing", "normalization", "eps", "warmup_epochs", "ramp_epochs"),
                List.copyOf(c.loss().params().keySet()),
                "declaration order");
        assertEquals(1.0, c.loss().params().get("alpha"));
        assertEquals("label", c.loss().params().get("routing"));
        assertEquals(List.of(new PluginSpec("label-smoothing", Map.of("epsilon", 0.1))), c.regularizers());
        assertEquals(
                new PluginSpec("sgd", Map.of("lr", 0.1, "momentum", 0.9, "nesterov", false, "weight_decay", 5.0e-4)),
                c.optimizer());
        assertEquals(new PluginSpec("cosine", Map.of("final_lr", 0.0, "warmup_epochs", 0)), c.schedule());
        assertEquals(new TrainSpec(8, 128, 0, true), c.train());
        assertEquals(
                Optional.of(new DistillSpec(
                        "runs/teacher", List.of(new PluginSpec("caam-cam", Map.of("beta", 1.0, "tag", "default"))))),
                c.distill());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Path file = fixture(dir, "config-errors.yaml", "experiment.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(file));
        String f = file + ": ";
        assertEquals(
                List.of(
                        f + "trian: unknown key; did you mean 'train'? valid: " + TOP,
                        f + "name: must match [A-Za-z0-9._-]+ (it names the run directory), found 'my run'",
                        f + "data.params.size: must be in [8, 512], found 4",
                        f + "backbone.id: no backbone plugin 'resnet-cifr'; did you mean 'resnet-cifar'? available: "
                                + "[resnet-cifar]",
                        f
                                + "loss.params.alpah: unknown parameter; did you mean 'alpha'? valid: [alpha, routing, normalization, "
                                + "eps, warmup_epochs, ramp_epochs]",
                        f + "loss.params.routing: must be one of [label, prediction], found 'nearest'",
                        f + "regularizers.0.id: missing; must name a regularizer plugin, one of [label-smoothing]",
                        f + "regularizers.1: must be a map like { id: ..., params: {...} }, found 'label-smoothing'; "
                                + "write { id: label-smoothing }",
                        f + "optimizer.params.lr: must be in (0, 10], found 0",
                        f + "optimizer.params.momentum: must be in [0, 1), found 1",
                        f + "schedule.params.warmup_epochs: must be an integer, found 'two'",
                        f + "train.epochs: must be in [1, 100000], found 0",
                        f + "distill.teacher: must not be empty; name the teacher's run directory",
                        f
                                + "distill.distillers: must list at least one distiller plugin, found an empty list; available: "
                                + "[caam-cam]"),
                e.getMessage().lines().toList());
        assertEquals(14, e.problems().size());
        assertEquals(
                new ConfigProblem("train.epochs", "must be in [1, 100000], found 0", file.toString()),
                e.problems().get(11));
    }

    @Test
    void theSourceIsTheFileAsTheUserNamedIt() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> loader.fromMap(Map.of("train", Map.of("epochs", 0)), "experiment.yaml"));
        assertEquals("experiment.yaml: train.epochs: must be in [1, 100000], found 0", e.getMessage());
    }

    @Test
    void aYamlSyntaxErrorGivesLineAndColumnWithoutStackTraceText() {
        Path file = fixture(dir, "config-syntax-error.yaml", "experiment.yaml");
        assertEquals(
                List.of(file + ": invalid YAML at line 3, column 15: mapping values are not allowed here"),
                problems(() -> loader.load(file)));
    }

    @Test
    void aYamlSyntaxErrorWithContext() {
        Path file = write(dir, "experiment.yaml", "name: x\nregularizers: [ { id: a }\ntrain: {}\n");
        assertEquals(
                List.of(file + ": invalid YAML at line 3, column 1: expected ',' or ']', but got <scalar> "
                        + "(while parsing a flow sequence that starts at line 2, column 15)"),
                problems(() -> loader.load(file)));
    }

    @Test
    void duplicateKeysAreAnError() {
        Path file = write(dir, "experiment.yaml", "name: a\nseed: 1\nname: b\n");
        assertEquals(
                List.of(file + ": invalid YAML at line 3, column 1: duplicate key 'name'"),
                problems(() -> loader.load(file)));
    }

    @Test
    void aConfigIsOneDocument() {
        Path yaml = write(dir, "two.yaml", "name: a\n---\nname: b\n");
        assertEquals(
                List.of(yaml + ": more content after the config at line 3, column 1; a config is one YAML "
                        + "document"),
                problems(() -> loader.load(yaml)));
        Path json = write(dir, "two.json", "{\"name\": \"a\"}\n{\"name\": \"b\"}");
        assertEquals(
                List.of(json + ": more content after the config at line 2, column 1"),
                problems(() -> loader.load(json)));
    }

    @Test
    void aProblemInARerunRunJsonNamesThatFile() {
        Path runJson = write(
                dir,
                "run.json",
                "{\"name\": \"r\", \"train\": {\"epochs\": 0},\n \"provenance\": {\"status\": \"completed\"}}");
        assertEquals(
                List.of(runJson + ": train.epochs: must be in [1, 100000], found 0"),
                problems(() -> loader.load(runJson)));
        Path broken = write(dir, "broken-run.json", "{\"name\": \"r\",\n \"train\": {\"epochs\": }}");
        List<String> lines = problems(() -> loader.load(broken));
        assertTrue(lines.get(0).startsWith(broken + ": invalid JSON at line 2, column "), lines.get(0));
    }

    @Test
    void jsonFilesAreReadAsJson() {
        Path file = write(dir, "experiment.json", "{\"name\": \"j\", \"train\": {\"epochs\": 3}}");
        ExperimentConfig c = loader.load(file);
        assertEquals("j", c.name());
        assertEquals(3, c.train().epochs());
        Path bad = write(dir, "bad.json", "{\"name\": \"j\",\n \"train\": }");
        List<String> lines = problems(() -> loader.load(bad));
        assertEquals(1, lines.size());
        assertTrue(
                lines.get(0).startsWith(bad + ": invalid JSON at line 2, column 11: Unexpected character ('}'"),
                lines.get(0));
    }

    @Test
    void emptyFiles() {
        Path empty = write(dir, "empty.yaml", "");
        assertEquals(List.of(empty + ": file is empty"), problems(() -> loader.load(empty)));
        Path comments = fixture(dir, "config-empty.yaml", "comments.yaml");
        assertEquals(List.of(comments + ": file is empty"), problems(() -> loader.load(comments)));
        Path nullDocument = write(dir, "null.yaml", "~\n");
        assertEquals(List.of(nullDocument + ": file is empty"), problems(() -> loader.load(nullDocument)));
    }

    @Test
    void aMissingFileOrADirectory() {
        Path missing = dir.resolve("nope.yaml");
        assertEquals(
                List.of(missing + ": file not found: " + missing.toAbsolutePath()),
                problems(() -> loader.load(missing)));
        assertEquals(List.of(dir + ": is a directory, not a config file"), problems(() -> loader.load(dir)));
    }

    @Test
    void aMissingFileAndMalformedOverridesAreReportedTogether() {
        Path missing = dir.resolve("nope.yaml");
        assertEquals(
                List.of(
                        "--set: malformed override 'epochs': no '='; expected path=value, e.g. train.epochs=2",
                        missing + ": file not found: " + missing.toAbsolutePath()),
                problems(() -> loader.load(missing, List.of("epochs"))));
    }

    @Test
    void theRootMustBeAMap() {
        Path list = write(dir, "list.yaml", "- a\n- b\n");
        assertEquals(
                List.of(list + ": must be a map of sections " + TOP + ", found a list"),
                problems(() -> loader.load(list)));
        Path scalar = write(dir, "scalar.yaml", "hello\n");
        assertEquals(
                List.of(scalar + ": must be a map of sections " + TOP + ", found 'hello'"),
                problems(() -> loader.load(scalar)));
    }

    @Test
    void fromMapDoesNotModifyItsInput() {
        Map<String, Object> loss = new LinkedHashMap<>(Map.of("id", "cam-loss"));
        Map<String, Object> raw = new LinkedHashMap<>(Map.of("loss", loss));
        ExperimentConfig c = loader.fromMap(raw, "map", List.of("loss.params.alpha=2"));
        assertEquals(2.0, c.loss().params().get("alpha"));
        assertEquals(Map.of("loss", Map.of("id", "cam-loss")), raw);
    }
}
