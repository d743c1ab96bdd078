package org.camloss.runtime.config;

import static org.camloss.runtime.config.ConfigTesting.problems;
import static org.camloss.runtime.config.ConfigTesting.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** YAML beyond the basics: anchors, aliases, merge keys and tabs are read as YAML means them, or refused exactly. */
class YamlConfigTest {
    private final ConfigLoader loader = new ConfigLoader(FakePlugins.registry());

    @TempDir
    Path dir;

    private static Object read(String... lines) throws YamlReader.Problem {
        return YamlReader.read(String.join("\n", lines) + "\n");
    }

    private static String refusal(String... lines) {
        YamlReader.Problem p = assertThrows(YamlReader.Problem.class, () -> read(lines));
        return "line " + p.line() + ", column " + p.column() + ": " + p.getMessage();
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aliasesGiveTheAnchoredValue() throws YamlReader.Problem {
        assertEquals(
                map(
                        "a", map("id", "sgd", "params", map("lr", 0.1)),
                        "b", map("id", "sgd", "params", map("lr", 0.1)),
                        "n", 5,
                        "m", 5,
                        "l", List.of(1, 2),
                        "k", List.of(1, 2)),
                read(
                        "a: &opt { id: sgd, params: { lr: 0.1 } }",
                        "b: *opt",
                        "n: &five 5",
                        "m: *five",
                        "l: &two [1, 2]",
                        "k: *two"));
    }

    @Test
    void mergeKeysMergeWithWrittenKeysWinning() throws YamlReader.Problem {
        assertEquals(
                map(
                        "base", map("lr", 0.1, "momentum", 0.9),
                        "fast", map("lr", 0.2, "momentum", 0.9),
                        "slow", map("lr", 0.01, "momentum", 0.9)),
                read(
                        "base: &base { lr: 0.1, momentum: 0.9 }",
                        "fast:",
                        "  <<: *base",
                        "  lr: 0.2",
                        "slow:",
                        "  lr: 0.01",
                        "  <<: *base"));
        // a list of mappings: the first one that has a key wins
        assertEquals(
                map("a", map("x", 1, "y", 2), "b", map("x", 3, "z", 4), "c", map("x", 1, "y", 2, "z", 4)),
                read("a: &a { x: 1, y: 2 }", "b: &b { x: 3, z: 4 }", "c: { <<: [*a, *b] }"));
    }

    @Test
    void scalarsKeepTheTypesConfigsHadBefore() throws YamlReader.Problem {
        Map<?, ?> m = (Map<?, ?>) read(
                "a: 1e-3",
                "b: 5.0e-4",
                "c: 0x10",
                "d: 1_000",
                "e: yes",
                "f: off",
                "g: True",
                "h: 1:20",
                "i: 2026-11-30",
                "j: ~",
                "k:",
                "l: .inf",
                "m: 010",
                "n: 0o17",
                "o: 12345678901");
        assertEquals(0.001, m.get("a"));
        assertEquals(5.0e-4, m.get("b"));
        assertEquals(16, m.get("c"));
        assertEquals(1000, m.get("d"));
        assertEquals("yes", m.get("e"));
        assertEquals("off", m.get("f"));
        assertEquals(true, m.get("g"));
        assertEquals("1:20", m.get("h"), "no sexagesimal numbers");
        assertEquals("2026-11-30", m.get("i"), "no dates");
        assertEquals(null, m.get("j"));
        assertEquals(null, m.get("k"));
        assertEquals(Double.POSITIVE_INFINITY, m.get("l"));
        assertEquals(8, m.get("m"));
        assertEquals("0o17", m.get("n"));
        assertEquals(12345678901L, m.get("o"));
    }

    @Test
    void tabsAreAllowedInValuesAndBeforeComments() throws YamlReader.Problem {
        assertEquals(map("name", "a\tb", "seed", 3), read("name: a\tb", "seed: 3\t# three"));
    }

    @Test
    void tabsThatIndentOrSeparateAreRefusedWithLineAndColumn() {
        String tab = "a tab character, where YAML allows only spaces (to indent, and after ':', ',' and '-'); replace "
                + "it with spaces";
        assertEquals("line 2, column 1: " + tab, refusal("train:", "\tepochs: 2"));
        assertEquals("line 3, column 10: " + tab, refusal("name: x", "train:", "  epochs:\t2"));
        assertEquals("line 1, column 20: " + tab, refusal("train: { epochs: 2,\tbatch_size: 4 }"));
    }

    @Test
    void aRecursiveAliasIsRefused() {
        assertEquals(
                "line 1, column 4: the collection at line 1, column 4 contains an alias of itself; a config cannot be "
                        + "recursive",
                refusal("a: &x [1, *x]"));
    }

    @Test
    void otherDefectsAreRefusedWithLineAndColumn() {
        assertEquals("line 2, column 4: found undefined alias nope", refusal("a: 1", "b: *nope"));
        assertEquals("line 4, column 3: duplicate key 'lr'", refusal("base: &b { lr: 1 }", "c:", "  lr: 2", "  lr: 3"));
        assertTrue(refusal("a: !custom 1")
                .startsWith("line 1, column 4: could not determine a constructor for the " + "tag !custom"));
        // a billion laughs: too many aliases of collections
        String[] laughs = new String[12];
        laughs[0] = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]";
        for (int i = 1; i < laughs.length; i++) {
            String prev = "*a" + (i - 1);
            laughs[i] = "a" + i + ": &a" + i + " [" + String.join(", ", java.util.Collections.nCopies(10, prev)) + "]";
        }
        YamlReader.Problem p = assertThrows(YamlReader.Problem.class, () -> read(laughs));
        assertTrue(p.getMessage().contains("aliases"), p.getMessage());
    }

    @Test
    void aConfigUsingAnchorsAndMergeKeysLoads() {
        Path file = write(
                dir,
                "experiment.yaml",
                String.join(
                        "\n",
                        "name: &name anchored",
                        "seed: &seed 3",
                        "loss: { id: cam-loss, params: &lp { alpha: 0.5, warmup_epochs: 1 } }",
                        "regularizers:",
                        "  - &ls { id: label-smoothing, params: { epsilon: 0.1 } }",
                        "  - <<: *ls",
                        "    params: { epsilon: 0.2 }",
                        "train: { epochs: *seed, batch_size: 16 }",
                        ""));
        ExperimentConfig c = loader.load(file);
        assertEquals("anchored", c.name());
        assertEquals(3L, c.seed());
        assertEquals(3, c.train().epochs());
        assertEquals(0.5, c.loss().params().get("alpha"));
        assertEquals(1, c.loss().params().get("warmup_epochs"));
        assertEquals(
                List.of(
                        new PluginSpec("label-smoothing", Map.of("epsilon", 0.1)),
                        new PluginSpec("label-smoothing", Map.of("epsilon", 0.2))),
                c.regularizers());
    }

    @Test
    void theLoaderNamesTheFileLineAndColumn() {
        Path file = write(dir, "experiment.yaml", "name: x\ntrain:\n\tepochs: 2\n");
        assertEquals(
                List.of(file + ": invalid YAML at line 3, column 1: a tab character, where YAML allows only spaces (to "
                        + "indent, and after ':', ',' and '-'); replace it with spaces"),
                problems(() -> loader.load(file)));
        Path alias = write(dir, "alias.yaml", "name: x\nseed: *s\n");
        assertEquals(
                List.of(alias + ": invalid YAML at line 2, column 7: found undefined alias s"),
                problems(() -> loader.load(alias)));
    }

    @Test
    void setOverridesAreReadAsTheFileIs() {
        Path file = write(dir, "experiment.yaml", "name: x\n");
        ExperimentConfig c = loader.load(file, List.of("train.epochs=0x3", "name=2026-11-30"));
        assertEquals(3, c.train().epochs());
        assertEquals("2026-11-30", c.name());
        List<String> lines = problems(() -> loader.load(file, List.of("seed=*s")));
        assertEquals(List.of("--set: seed: cannot parse value '*s' as YAML: found undefined alias s"), lines);
        assertEquals(1, Arrays.asList(lines.get(0).split("\n")).size());
    }
}
