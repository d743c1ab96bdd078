package org.camloss.runtime.config;

import static org.camloss.runtime.config.ConfigTesting.ordered;
import static org.camloss.runtime.config.ConfigTesting.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camloss.api.LossFactory;
import org.camloss.api.ParamSpec;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.junit.jupiter.api.Test;

/** Validation and resolution of parsed configs (through {@link ConfigLoader#fromMap}). */
class ConfigValidationTest {
    private final ConfigLoader loader = new ConfigLoader(FakePlugins.registry());

    private List<String> problemsOf(Map<String, ?> raw) {
        return problems(() -> loader.fromMap(raw, "x.yaml"));
    }

    @Test
    void anEmptyConfigTakesEveryDefault() {
        ExperimentConfig c = loader.fromMap(Map.of(), "x.yaml");
        assertEquals(
                new ExperimentConfig(
                        "experiment",
                        0L,
                        new PluginSpec("shapes", Map.of("train", 2000, "test", 500, "size", 32)),
                        new PluginSpec("resnet-cifar", Map.of("depth", 20, "width", 16)),
                        new PluginSpec(
                                "cam-loss",
                                Map.of(
                                        "alpha",
                                        1.0,
                                        "routing",
                                        "label",
                                        "normalization",
                                        "min-max",
                                        "eps",
                                        1e-6,
                                        "warmup_epochs",
                                        0,
                                        "ramp_epochs",
                                        0)),
                        List.of(),
                        new PluginSpec(
                                "sgd", Map.of("lr", 0.1, "momentum", 0.9, "nesterov", false, "weight_decay", 5e-4)),
                        new PluginSpec("cosine", Map.of("final_lr", 0.0, "warmup_epochs", 0)),
                        new TrainSpec(8, 128, 0, true),
                        Optional.empty()),
                c);
    }

    @Test
    void keysGivenWithoutAValueCountAsAbsent() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("regularizers", null);
        raw.put("loss", null);
        raw.put("distill", null);
        ExperimentConfig c = loader.fromMap(raw, "x.yaml");
        assertEquals(List.of(), c.regularizers());
        assertEquals("cam-loss", c.loss().id());
        assertEquals(Optional.empty(), c.distill());
    }

    @Test
    void parametersGivenWithoutAValueTakeTheirDefault() {
        Map<String, Object> params = new HashMap<>();
        params.put("alpha", null);
        Map<String, Object> train = new HashMap<>();
        train.put("epochs", null);
        ExperimentConfig c = loader.fromMap(Map.of("loss", Map.of("params", params), "train", train), "x.yaml");
        assertEquals(1.0, c.loss().params().get("alpha"));
        assertEquals(8, c.train().epochs());
    }

    @Test
    void valuesAreConvertedToTheDeclaredTypes() {
        ExperimentConfig c = loader.fromMap(
                Map.of(
                        "seed", "42",
                        "loss", Map.of("params", Map.of("alpha", 2, "warmup_epochs", 3.0)),
                        "train", Map.of("epochs", 2L, "progress", "false")),
                "x.yaml");
        assertEquals(42L, c.seed());
        assertEquals(2.0, c.loss().params().get("alpha"));
        assertEquals(3, c.loss().params().get("warmup_epochs"));
        assertEquals(new TrainSpec(2, 128, 0, false), c.train());
    }

    @Test
    void aNodeWithoutIdTakesTheSectionDefault() {
        ExperimentConfig c = loader.fromMap(Map.of("loss", Map.of("params", Map.of("alpha", 0.5))), "x.yaml");
        assertEquals("cam-loss", c.loss().id());
        assertEquals(0.5, c.loss().params().get("alpha"));
    }

    @Test
    void aliasesResolveToTheCanonicalId() {
        ExperimentConfig c = loader.fromMap(Map.of("loss", Map.of("id", "cam-loss-v1")), "x.yaml");
        assertEquals("cam-loss", c.loss().id());
    }

    @Test
    void typeErrors() {
        assertEquals(
                List.of(
                        "x.yaml: data: must be a map like { id: ..., params: {...} }, found a list",
                        "x.yaml: backbone.id: must be a string naming a backbone plugin, found 3",
                        "x.yaml: loss.params: must be a map of parameter values, found a list",
                        "x.yaml: regularizers: must be a list of { id: ..., params: {...} } nodes, found a map",
                        "x.yaml: optimizer.params.lr: must be a number, found 'fast'",
                        "x.yaml: schedule.parms: unknown key; did you mean 'params'? valid: [id, params]",
                        "x.yaml: train: must be a map with keys [epochs, batch_size, threads, progress, checkpoint_every_epochs, checkpoint_every_minutes, checkpoints_kept, divergence_factor, early_stopping], found 5",
                        "x.yaml: distill: must be a map with keys [teacher, distillers, cache_teacher, teacher_graph], found 'runs/t'"),
                problemsOf(Map.of(
                        "data", List.of("shapes"),
                        "backbone", Map.of("id", 3),
                        "loss", Map.of("id", "cam-loss", "params", List.of(1)),
                        "regularizers", Map.of("id", "label-smoothing"),
                        "optimizer", Map.of("id", "sgd", "params", Map.of("lr", "fast")),
                        "schedule", Map.of("id", "cosine", "parms", Map.of()),
                        "train", 5,
                        "distill", "runs/t")));
    }

    @Test
    void nameAndSeed() {
        assertEquals(
                List.of(
                        "x.yaml: name: must not be '..' (it names the run directory)",
                        "x.yaml: seed: must be an integer in [-9223372036854775808, 9223372036854775807], found 1.5"),
                problemsOf(Map.of("name", "..", "seed", 1.5)));
        assertEquals(
                List.of("x.yaml: name: must be a string, found an empty map"), problemsOf(Map.of("name", Map.of())));
        assertEquals(
                List.of("x.yaml: name: must match [A-Za-z0-9._-]+ (it names the run directory), found ''"),
                problemsOf(Map.of("name", "")));
        assertEquals(
                "run-2024.v1_a",
                loader.fromMap(Map.of("name", "run-2024.v1_a"), "x").name());
        assertEquals("123", loader.fromMap(Map.of("name", 123), "x").name());
        assertEquals(-5L, loader.fromMap(Map.of("seed", -5), "x").seed());
        assertEquals(1L << 40, loader.fromMap(Map.of("seed", 1L << 40), "x").seed());
    }

    @Test
    void unknownPluginIds() {
        assertEquals(
                List.of(
                        "x.yaml: data.id: no dataset plugin 'shape'; did you mean 'shapes'? available: [shapes]",
                        "x.yaml: loss.id: no loss plugin 'focal'; available: [cam-loss, cross-entropy]",
                        "x.yaml: regularizers.0.id: no regularizer plugin 'label-smothing'; did you mean 'label-smoothing'? "
                                + "available: [label-smoothing]"),
                problemsOf(Map.of(
                        "data",
                        Map.of("id", "shape"),
                        "loss",
                        Map.of("id", "focal", "params", Map.of("anything", 1)),
                        "regularizers",
                        List.of(Map.of("id", "label-smothing")))));
    }

    @Test
    void aPluginWithoutParamsSaysSo() {
        assertEquals(
                List.of("x.yaml: loss.params.alpha: unknown parameter; this plugin takes no parameters"),
                problemsOf(Map.of("loss", Map.of("id", "cross-entropy", "params", Map.of("alpha", 1)))));
    }

    @Test
    void unknownKeysInSections() {
        assertEquals(
                List.of(
                        "x.yaml: trian: unknown key; did you mean 'train'? valid: [name, seed, data, backbone, loss, "
                                + "regularizers, optimizer, schedule, train, distill, init, freeze, lr_mult, engine]",
                        "x.yaml: zzz: unknown key; valid: [name, seed, data, backbone, loss, regularizers, optimizer, "
                                + "schedule, train, distill, init, freeze, lr_mult, engine]",
                        "x.yaml: loss.idd: unknown key; did you mean 'id'? valid: [id, params]",
                        "x.yaml: train.epoch: unknown key; did you mean 'epochs'? valid: [epochs, batch_size, threads, "
                                + "progress, checkpoint_every_epochs, checkpoint_every_minutes, checkpoints_kept, "
                                + "divergence_factor, early_stopping]",
                        "x.yaml: distill.teachr: unknown key; did you mean 'teacher'? valid: [teacher, distillers, cache_teacher, teacher_graph]",
                        "x.yaml: distill.teacher: missing; must name the teacher's run directory"),
                problemsOf(ordered(
                        "trian", 1,
                        "zzz", 2,
                        "loss", Map.of("idd", "x"),
                        "train", Map.of("epoch", 3),
                        "distill", ordered("teachr", "runs/t", "distillers", List.of(Map.of("id", "caam-cam"))))));
    }

    @Test
    void theDistillSection() {
        ExperimentConfig c = loader.fromMap(
                Map.of(
                        "distill",
                        Map.of(
                                "teacher",
                                "runs/t",
                                "distillers",
                                List.of(
                                        Map.of("id", "caam-cam", "params", Map.of("beta", 2)),
                                        Map.of("id", "caam-cam")))),
                "x.yaml");
        assertEquals(
                new DistillSpec(
                        "runs/t",
                        List.of(
                                new PluginSpec("caam-cam", Map.of("beta", 2.0, "tag", "default")),
                                new PluginSpec("caam-cam", Map.of("beta", 1.0, "tag", "default")))),
                c.distill().orElseThrow());

        assertEquals(
                List.of(
                        "x.yaml: distill.teacher: must be a string naming the teacher's run directory, found 5",
                        "x.yaml: distill.distillers: missing; must list at least one distiller plugin like [ { id: ... } ]; "
                                + "available: [caam-cam]"),
                problemsOf(Map.of("distill", Map.of("teacher", 5))));
        assertEquals(
                List.of(
                        "x.yaml: distill.distillers.0.id: no distiller plugin 'caam'; did you mean 'caam-cam'? available: "
                                + "[caam-cam]",
                        "x.yaml: distill.distillers.1.params.beta: must be in [0, 100], found -1"),
                problemsOf(Map.of(
                        "distill",
                        Map.of(
                                "teacher",
                                "t",
                                "distillers",
                                List.of(
                                        Map.of("id", "caam"),
                                        Map.of("id", "caam-cam", "params", Map.of("beta", -1)))))));
        assertEquals(
                List.of("x.yaml: distill.distillers: must be a list of { id: ..., params: {...} } nodes, "
                        + "found 'caam-cam'"),
                problemsOf(Map.of("distill", Map.of("teacher", "t", "distillers", "caam-cam"))));
    }

    @Test
    void builtinOptimizersAndSchedules() {
        ExperimentConfig c = loader.fromMap(
                Map.of(
                        "optimizer", Map.of("id", "adam", "params", Map.of("lr", 3e-4)),
                        "schedule", Map.of("id", "step", "params", Map.of("step_epochs", 2))),
                "x.yaml");
        assertEquals(
                new PluginSpec(
                        "adam", Map.of("lr", 3e-4, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0)),
                c.optimizer());
        assertEquals(new PluginSpec("step", Map.of("step_epochs", 2, "gamma", 0.1)), c.schedule());
        assertEquals(
                PluginSpec.of("constant"),
                loader.fromMap(Map.of("schedule", Map.of("id", "constant")), "x")
                        .schedule());

        assertEquals(
                List.of(
                        "x.yaml: optimizer.id: no optimizer 'sgdd'; did you mean 'sgd'? available: [adam, sgd]",
                        "x.yaml: schedule.id: no schedule 'linear'; available: [constant, cosine, step]"),
                problemsOf(Map.of("optimizer", Map.of("id", "sgdd"), "schedule", Map.of("id", "linear"))));
        assertEquals(
                List.of(
                        "x.yaml: optimizer.params.lr: must be in (0, 10], found 11",
                        "x.yaml: schedule.params.gamma: must be in (0, 1], found 0"),
                problemsOf(Map.of(
                        "optimizer",
                        Map.of("params", Map.of("lr", 11)),
                        "schedule",
                        Map.of("id", "step", "params", Map.of("gamma", 0)))));
        assertEquals(
                List.of(
                        "x.yaml: optimizer.params.beta2: must be in [0, 1), found 1.0",
                        "x.yaml: optimizer.params.eps: must be in (0, 1], found 0.0"),
                problemsOf(Map.of("optimizer", Map.of("id", "adam", "params", ordered("beta2", 1.0, "eps", 0.0)))));
    }

    @Test
    void warmupMustEndBeforeTrainingDoes() {
        assertEquals(
                List.of("x.yaml: schedule.params.warmup_epochs: must be less than train.epochs (4), found 4"),
                problemsOf(Map.of(
                        "schedule", Map.of("params", Map.of("warmup_epochs", 4)), "train", Map.of("epochs", 4))));
    }

    @Test
    void trainBounds() {
        assertEquals(
                List.of(
                        "x.yaml: train.epochs: must be an integer, found 'many'",
                        "x.yaml: train.batch_size: must be in [1, 65536], found 100000",
                        "x.yaml: train.threads: must be in [0, 256], found -1",
                        "x.yaml: train.progress: must be true or false, found 'yes'"),
                problemsOf(Map.of(
                        "train", ordered("epochs", "many", "batch_size", 100000, "threads", -1, "progress", "yes"))));
    }

    @Test
    void aDefaultPluginThatIsNotInstalled() {
        ConfigLoader bare = new ConfigLoader(PluginRegistry.builder().build());
        assertEquals(
                List.of(
                        "x.yaml: data.id: missing, and the default dataset plugin 'shapes' is not installed; available: []",
                        "x.yaml: backbone.id: missing, and the default backbone plugin 'resnet-cifar' is not installed; "
                                + "available: []",
                        "x.yaml: loss.id: no loss plugin 'cam-loss'; no loss plugins are installed"),
                problems(() -> bare.fromMap(Map.of("loss", Map.of("id", "cam-loss")), "x.yaml")));
    }

    @Test
    void validationNeverCreatesPlugins() {
        LossFactory loss = mock(LossFactory.class);
        when(loss.id()).thenReturn("cam-loss");
        when(loss.params()).thenReturn(List.of(ParamSpec.ofDouble("alpha", 1, 0, 10, "weight")));
        PluginRegistry registry = PluginRegistry.builder()
                .register(PluginKind.LOSS, loss)
                .register(PluginKind.DATASET, FakePlugins.dataset("shapes", List.of()))
                .register(PluginKind.BACKBONE, FakePlugins.backbone("resnet-cifar", List.of()))
                .build();
        ExperimentConfig c =
                new ConfigLoader(registry).fromMap(Map.of("loss", Map.of("params", Map.of("alpha", 3))), "x.yaml");
        assertEquals(new PluginSpec("cam-loss", Map.of("alpha", 3.0)), c.loss());
        verify(loss, never()).create(any());
    }
}
