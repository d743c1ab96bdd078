package org.camloss.runtime.config;

import static org.camloss.runtime.config.ConfigTesting.fixture;
import static org.camloss.runtime.config.ConfigTesting.problems;
import static org.camloss.runtime.config.ConfigTesting.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --set path=value} overrides, applied on top of {@code config-full.yaml}. */
class SetOverridesTest {
    private final ConfigLoader loader = new ConfigLoader(FakePlugins.registry());

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void copyFixture() {
        file = fixture(dir, "config-full.yaml", "experiment.yaml");
    }

    private ExperimentConfig load(String... overrides) {
        return loader.load(file, List.of(overrides));
    }

    @Test
    void valuesAreParsedAsYamlScalars() {
        ExperimentConfig c = load(
                "loss.params.alpha=0.5",
                "train.epochs=2",
                "train.progress=false",
                "seed=3",
                "name=my-run",
                "loss.params.routing=prediction",
                "optimizer.params.weight_decay=1e-3");
        assertEquals(0.5, c.loss().params().get("alpha"));
        assertEquals(new TrainSpec(2, 128, 0, false), c.train());
        assertEquals(3L, c.seed());
        assertEquals("my-run", c.name());
        assertEquals("prediction", c.loss().params().get("routing"));
        assertEquals(1e-3, c.optimizer().params().get("weight_decay"));
    }

    @Test
    void laterOverridesWin() {
        assertEquals(4, load("train.epochs=2", "train.epochs=4").train().epochs());
    }

    @Test
    void changingAPluginIdDropsTheOldPluginsParams() {
        assertEquals(
                PluginSpec.of("cross-entropy"), load("loss.id=cross-entropy").loss());
        ExperimentConfig c = load("data.id=shapes", "optimizer.id=adam", "optimizer.params.lr=0.01");
        assertEquals(5000, c.data().params().get("train"), "the same id keeps its params");
        assertEquals(0.01, c.optimizer().params().get("lr"), "params set after the id apply to the new plugin");
        assertEquals(0.9, c.optimizer().params().get("beta1"));
    }

    @Test
    void listElements() {
        assertEquals(
                List.of(new PluginSpec("label-smoothing", Map.of("epsilon", 0.2))),
                load("regularizers.0.params.epsilon=0.2").regularizers());
        assertEquals(
                List.of(
                        new PluginSpec("label-smoothing", Map.of("epsilon", 0.1)),
                        new PluginSpec("label-smoothing", Map.of("epsilon", 0.3))),
                load("regularizers.1.id=label-smoothing", "regularizers.1.params.epsilon=0.3")
                        .regularizers(),
                "the index one past the end appends");
        assertEquals(List.of(), load("regularizers=[]").regularizers());
    }

    @Test
    void flowValuesAndSectionsCreatedOnTheWay() {
        Path bare = write(dir, "bare.yaml", "name: bare\n");
        ExperimentConfig c = loader.load(
                bare,
                List.of(
                        "distill.teacher=runs/t",
                        "distill.distillers=[{id: caam-cam}]",
                        "regularizers.0.id=label-smoothing"));
        assertEquals(
                Optional.of(new DistillSpec(
                        "runs/t", List.of(new PluginSpec("caam-cam", Map.of("beta", 1.0, "tag", "default"))))),
                c.distill());
        assertEquals(List.of(new PluginSpec("label-smoothing", Map.of("epsilon", 0.1))), c.regularizers());
    }

    @Test
    void anEmptyValueIsNullAndNullMeansAbsent() {
        assertEquals(Optional.empty(), load("distill=").distill());
        assertEquals(Optional.empty(), load("distill=null").distill());
    }

    @Test
    void overridesWithoutAFile() {
        ExperimentConfig c = loader.fromMap(Map.of(), "defaults", List.of("train.epochs=1", "loss.id=cross-entropy"));
        assertEquals(1, c.train().epochs());
        assertEquals("cross-entropy", c.loss().id());
    }

    @Test
    void malformedOverridesAreReportedTogether() {
        List<String> lines = problems(() -> load("train.epochs", "=3", "train..epochs=2", "loss.params.alpha=[1,"));
        assertEquals(
                List.of(
                        "--set: malformed override 'train.epochs': no '='; expected path=value, e.g. train.epochs=2",
                        "--set: malformed override '=3': empty path before '='; expected path=value, e.g. train.epochs=2",
                        "--set: malformed override 'train..epochs=2': path 'train..epochs' has an empty key; expected "
                                + "path=value, e.g. train.epochs=2"),
                lines.subList(0, 3));
        assertEquals(4, lines.size());
        assertEquals(
                "--set: loss.params.alpha: cannot parse value '[1,' as YAML: ",
                lines.get(3).substring(0, lines.get(3).indexOf("YAML: ") + "YAML: ".length()));
    }

    @Test
    void overridesThatCannotBeApplied() {
        assertEquals(
                List.of(
                        "--set: regularizers.5.id: cannot set: index 5 is past the end of regularizers, which has 1 element(s); "
                                + "use 0 to 1",
                        "--set: loss.id.name: cannot set: loss.id is 'cam-loss', not a map or list",
                        "--set: regularizers.id: cannot set: regularizers is a list; select an element by index, e.g. "
                                + "regularizers.0"),
                problems(() -> load("regularizers.5.id=x", "loss.id.name=1", "regularizers.id=x")));
    }

    @Test
    void problemsAreAttributedToTheOverrideOrTheFile() {
        Path f = write(dir, "two.yaml", "train: { batch_size: 0 }\nloss: { id: cam-loss, params: { alpha: 20 } }\n");
        assertEquals(
                List.of(
                        "--set: trian: unknown key; did you mean 'train'? valid: [name, seed, data, backbone, loss, "
                                + "regularizers, optimizer, schedule, train, distill, init, freeze, lr_mult, engine]",
                        "--set: loss.params.alpah: unknown parameter; did you mean 'alpha'? valid: [alpha, routing, "
                                + "normalization, eps, warmup_epochs, ramp_epochs]",
                        f + ": loss.params.alpha: must be in [0, 10], found 20",
                        "--set: train.epochs: must be in [1, 100000], found 0",
                        f + ": train.batch_size: must be in [1, 65536], found 0",
                        "--set: distill.distillers: missing; must list at least one distiller plugin like [ { id: ... } ]; "
                                + "available: [caam-cam]"),
                problems(() -> loader.load(
                        f, List.of("train.epochs=0", "trian.epochs=2", "loss.params.alpah=1", "distill.teacher=t"))));
    }

    @Test
    void theSetSourceName() {
        assertEquals("--set", ConfigLoader.SET_SOURCE);
    }
}
