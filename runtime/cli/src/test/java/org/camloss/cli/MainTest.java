package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's exit codes and messages. */
class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void helpListsTheCommands() {
        assertEquals(0, run("--help"));
        for (String c : new String[] {"demo", "train", "eval", "plugins"}) {
            assertTrue(out.toString().contains(c), out.toString());
        }
    }

    @Test
    void everyCommandsHelpIsFormattedWithoutPicocliWarnings() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            for (String c : new String[] {"demo", "train", "eval", "compare", "bench", "plugins"}) {
                assertEquals(0, run(c, "--help"), c);
            }
        } finally {
            System.setErr(saved);
        }
        assertFalse(captured.toString().contains("WARN"), captured.toString());
        assertFalse(out.toString().contains("%n"), "unformatted help text");
        assertTrue(out.toString().replaceAll("\\s+", " ").contains("95 % of the final accuracy"), out.toString());
    }

    @Test
    void pluginsListsEveryKindWithParameters() {
        assertEquals(0, run("plugins"));
        String s = out.toString();
        for (String id : new String[] {
            "cam-loss",
            "cross-entropy",
            "resnet-cifar",
            "shapes",
            "label-smoothing",
            "mixup",
            "routing",
            "weight-detached",
            "sgd",
            "cosine",
            "caam-cam",
            "kd",
            "at"
        }) {
            assertTrue(s.contains(id), "plugins output lacks " + id);
        }
    }

    /** A jar whose services file names a class that does not exist. */
    private static Path brokenJar(Path dir) throws java.io.IOException {
        Path jar = dir.resolve("broken-plugin.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("META-INF/services/org.camloss.api.RegularizerFactory"));
            out.write("com.example.CutoutFactry\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aBrokenPluginJarIsNamedAndTheHealthyPluginsAreStillListed(@TempDir Path tmp) throws Exception {
        Path jar = brokenJar(tmp);
        assertEquals(2, run("--plugins", jar.toString(), "plugins"));
        assertTrue(out.toString().contains("cam-loss"), "the healthy plugins are listed: " + out);
        assertEquals(
                "error: 1 plugin could not be loaded:\n  cannot load regularizer plugin com.example.CutoutFactry "
                        + "listed in " + jar
                        + " (META-INF/services/org.camloss.api.RegularizerFactory): class not found",
                err.toString().trim());
    }

    @Test
    void everyCommandRefusesABrokenPluginJarWithExitTwo(@TempDir Path tmp) throws Exception {
        Path jar = brokenJar(tmp);
        Path cfg = tmp.resolve("ok.yaml");
        Files.writeString(cfg, "name: x\n");
        assertEquals(
                2,
                run(
                        "train",
                        cfg.toString(),
                        "--plugins",
                        jar.toString(),
                        "--out",
                        tmp.resolve("r").toString()));
        assertTrue(
                err.toString()
                        .startsWith("error: cannot use every plugin:\n  cannot load regularizer plugin "
                                + "com.example.CutoutFactry listed in " + jar),
                err.toString());
        assertFalse(err.toString().contains("\tat "), "stack trace printed: " + err);
        assertTrue(Files.notExists(tmp.resolve("r")));
    }

    @Test
    void aPluginPathThatDoesNotExistExitsTwo(@TempDir Path tmp) {
        assertEquals(2, run("--plugins", tmp.resolve("none.jar").toString(), "plugins"));
        assertEquals(
                "error: --plugins " + tmp.resolve("none.jar") + ": does not exist; give a plugin jar or a "
                        + "directory of jars",
                err.toString().trim());
    }

    @Test
    void missingConfigFileExitsTwoWithoutStackTrace(@TempDir Path tmp) {
        assertEquals(2, run("train", tmp.resolve("nope.yaml").toString()));
        assertTrue(err.toString().contains("nope.yaml"), err.toString());
        assertFalse(err.toString().contains("\tat "), "stack trace printed: " + err);
    }

    @Test
    void invalidConfigReportsEveryProblemAndExitsTwo(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(cfg, "name: x\nloss: { id: cam-los }\ntrain: { epochs: 0 }\n");
        assertEquals(2, run("train", cfg.toString(), "--out", tmp.resolve("run").toString()));
        String e = err.toString();
        assertTrue(e.contains("loss.id") && e.contains("did you mean 'cam-loss'"), e);
        assertTrue(e.contains("train.epochs"), e);
        assertFalse(e.contains("\tat "), "stack trace printed: " + e);
        assertTrue(Files.notExists(tmp.resolve("run")), "run directory created for an invalid config");
    }

    @Test
    void demoWithABadAlphaRefusesBeforeTrainingAnything(@TempDir Path tmp) {
        Path out = tmp.resolve("demo");
        assertEquals(2, run("demo", "--alpha", "-1", "--out", out.toString(), "--no-progress"));
        assertTrue(err.toString().startsWith("error: --alpha: must be in [0, 1000], found -1"), err.toString());
        assertTrue(Files.notExists(out), "the demo trained before it refused");
    }

    /**
     * Out-of-range and empty values, and options that would be silently ignored, in demo, train, resume, report,
     * eval and fewshot (explain's, eval's faithfulness options, compare's and bench's are in their own tests): exit 2,
     * one line naming the option, no stack trace, nothing run.
     */
    @Test
    void badOptionsExitWithTwoBeforeAnythingRuns(@TempDir Path tmp) throws Exception {
        Path cfg = Files.writeString(
                tmp.resolve("ok.yaml"),
                "name: x\ndata: { params: { train: 32, test: 16, size: 16 } }\n"
                        + "backbone: { params: { depth: 8, width: 0.25 } }\ntrain: { epochs: 1, batch_size: 16 }\n");
        String c = cfg.toString();
        String o = tmp.resolve("out").toString();
        String[][] cases = { // {the option the message names, the arguments...}
            {"--epochs", "demo", "--epochs", "0", "--out", o},
            {"--train", "demo", "--train", "-5", "--out", o},
            {"--test", "demo", "--test", "1000000000", "--out", o},
            {"--alpha", "demo", "--alpha", "NaN", "--out", o},
            {"--out", "demo", "--out", "", "--epochs", "0"}, // an empty --out was the current directory
            {"--engine", "train", c, "--engine", "", "--out", o},
            {"--engine", "train", c, "--engine", "local", "--set", "engine.id=spark", "--out", o},
            {"--out", "train", c, "--out", ""},
            {"CONFIG", "train", "", "--out", o},
            {"RUN_DIR", "resume", ""},
            {"RUN_DIR", "report", ""},
            {"RUN_DIR", "eval", ""},
            {"RUN_DIR", "fewshot", ""},
        }; // eval's options: ExplainCommandTest.evalsFaithfulnessOptionsWithoutFaithfulnessExitWithTwo
        java.util.List<String> failures = new java.util.ArrayList<>();
        for (String[] k : cases) {
            String[] args = java.util.Arrays.copyOfRange(k, 1, k.length);
            err.getBuffer().setLength(0);
            int code = run(args);
            String problem = problem(code, err.toString(), k[0]);
            if (Files.exists(tmp.resolve("out"))) {
                problem = "ran before it refused";
                deleteTree(tmp.resolve("out"));
            }
            if (problem != null) {
                failures.add(String.join(" ", args) + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** Deletes a directory a refused command should not have written, and all in it. */
    static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * What is wrong with a refusal, or null: exit 2 and one line, {@code error: OPTION: ...}, with no stack trace.
     */
    static String problem(int code, String err, String option) {
        if (code != 2) {
            return "exit " + code + ", not 2: "
                    + err.strip().lines().findFirst().orElse("");
        }
        if (err.contains("\tat ")) {
            return "stack trace printed: " + err;
        }
        if (err.strip().lines().count() != 1) {
            return "not one message: " + err;
        }
        return err.startsWith("error: " + option + ": ") ? null : "does not name " + option + ": " + err.strip();
    }

    @Test
    void anOutputDirectoryUnderAFileNamesTheReason(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        Path cfg = Files.writeString(
                tmp.resolve("ok.yaml"),
                "name: x\ndata: { params: { train: 32, test: 16, size: 16 } }\n"
                        + "backbone: { params: { depth: 8, width: 0.25 } }\ntrain: { epochs: 1, batch_size: 16 }\n");
        assertEquals(
                2, run("train", cfg.toString(), "--out", file.resolve("run").toString()));
        assertEquals(
                "error: --out " + file.resolve("run") + ": cannot be created: " + file + " is a file, not a directory",
                err.toString().trim());
    }

    @Test
    void unknownOptionExitsTwo() {
        assertEquals(2, run("train", "x.yaml", "--bogus"));
        assertTrue(err.toString().contains("--bogus"), err.toString());
    }

    @Test
    void evalOfANonRunExitsTwo(@TempDir Path tmp) {
        assertEquals(2, run("eval", tmp.toString()));
        assertEquals(
                "error: " + tmp + ": not a run directory (no run.json in it)",
                err.toString().trim());
    }

    @Test
    void malformedOverrideExitsTwo(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("ok.yaml");
        Files.writeString(cfg, "name: x\n");
        assertEquals(2, run("train", cfg.toString(), "--set", "train.epochs"));
        assertTrue(err.toString().contains("train.epochs"), err.toString());
    }
}
