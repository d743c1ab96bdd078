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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code camloss fewshot} on a tiny run trained by {@code camloss train}: its table, its file, its refusals. */
class FewShotCommandTest {
    static Path run;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void trainATinyRun(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("tiny.yaml");
        Files.writeString(
                config,
                """
                name: fewshot-cli
                seed: 2
                data: { id: shapes, params: { classes: 3, train: 64, test: 32, size: 16 } }
                backbone: { id: resnet-cifar, params: { depth: 8, width: 0.25 } }
                loss: { id: cam-loss }
                train: { epochs: 1, batch_size: 32, threads: 1 }
                """);
        run = tmp.resolve("run");
        StringWriter sink = new StringWriter();
        int status = Main.commandLine(new PrintWriter(sink, true), new PrintWriter(sink, true))
                .execute("train", config.toString(), "--out", run.toString(), "--no-progress");
        assertEquals(0, status, sink.toString());
    }

    private int fewshot(String... args) {
        List<String> all = new ArrayList<>(List.of("fewshot", run.toString()));
        all.addAll(List.of(args));
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(all.toArray(String[]::new));
    }

    /** Novel classes 3..5 of six-class shapes, two small settings, two classifiers. */
    private static final String[] NOVEL = {
        "--data-param", "classes=6",
        "--data-param", "test=150",
        "--classes", "3,4,5",
        "--ways", "2,3",
        "--shots", "1,2",
        "--queries", "4",
        "--episodes", "20",
        "--classifier", "prototype,logistic",
        "--no-progress"
    };

    @Test
    void printsOneRowPerSettingAndWritesTheFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("fs.json");
        List<String> args = new ArrayList<>(List.of(NOVEL));
        args.addAll(List.of("--out", file.toString(), "--seed", "3"));
        assertEquals(0, fewshot(args.toArray(String[]::new)), err.toString());
        String text = out.toString();
        assertTrue(text.contains("shapes(classes=6,size=16,seed=0), test split"), text);
        assertTrue(text.contains("[3 cross ("), text);
        assertTrue(text.contains("20 per setting, 4 queries per class, seed 3"), text);
        assertTrue(text.contains("classifier         ways  shots   accuracy  ± 95% CI      std   seconds"), text);
        long rows = text.lines()
                .filter(l -> l.matches("(prototype|logistic) +[23] +[12] +\\d+\\.\\d\\d% +\\d+\\.\\d\\d% .*"))
                .count();
        assertEquals(8, rows, text);
        assertTrue(text.contains("results written to " + file), text);
        assertTrue(Files.isRegularFile(file));
        assertTrue(Files.readString(file).contains("\"model_sha256\""));
    }

    @Test
    void theDefaultFileIsTheRunDirectorysFirstFreeOne() throws Exception {
        List<Path> written = new ArrayList<>();
        try {
            for (String expected : new String[] {"fewshot.json", "fewshot-2.json"}) {
                out.getBuffer().setLength(0);
                assertEquals(
                        0,
                        fewshot(
                                "--data-param",
                                "classes=6",
                                "--ways",
                                "2",
                                "--shots",
                                "1",
                                "--queries",
                                "2",
                                "--episodes",
                                "3",
                                "--no-progress"),
                        err.toString());
                written.add(run.resolve(expected));
                assertTrue(out.toString().contains("results written to " + run.resolve(expected)), out.toString());
            }
        } finally {
            for (Path p : written) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void badInputExitsTwoWithOneMessageAndWritesNothing() throws Exception {
        List<String> before = files();
        String[][] cases = {
            {"--classifier", "logistc"},
            {"--split", "validation"},
            {"--ways", "4", "--classes", "3,4,5", "--data-param", "classes=6"},
            {"--classes", "", "--data-param", "classes=6"},
            {"--data-param", "size=[16"},
            {"--data-param", "size"},
            {"--ways", "two"},
            {"--out", ""},
        };
        String[] expected = {
            "error: --classifier: must be one of [prototype, prototype-cosine, logistic, nearest], found 'logistc'; "
                    + "did you mean 'logistic'?",
            "error: --split: must be one of [test, train], found 'validation'",
            "error: --ways 4: more than the 3 classes to draw from (--classes [3, 4, 5]); valid: 2..3",
            "error: --classes: empty; give the classes to draw episodes from (valid: labels 0..5 or names [circle, "
                    + "square, triangle, cross, ring, diamond])",
            "error: --data-param size: cannot parse '[16' as YAML",
            "error: Value for option option '--data-param' (NAME=VALUE) should be in KEY=VALUE format but was size",
            "error: Invalid value for option '--ways' (N): 'two' is not an int",
            "error: --out: an empty path; give a results file to create, or drop --out for the run directory's "
                    + "fewshot.json",
        };
        for (int i = 0; i < cases.length; i++) {
            err.getBuffer().setLength(0);
            assertEquals(2, fewshot(cases[i]), String.join(" ", cases[i]) + ": " + err);
            String first = err.toString().lines().findFirst().orElse("");
            assertTrue(first.startsWith(expected[i]), "expected " + expected[i] + "\nfound    " + first);
            assertFalse(err.toString().contains("\tat "), "stack trace printed: " + err);
        }
        assertEquals(before, files(), "nothing written into the run directory");
    }

    @Test
    void helpIsFormatted() {
        assertEquals(0, fewshot("--help"));
        String help = out.toString();
        assertFalse(help.contains("%n"), help);
        assertTrue(help.replaceAll("\\s+", " ").contains("± 95 % confidence interval"), help);
        for (String option : new String[] {
            "--data",
            "--data-param",
            "--classes",
            "--split",
            "--ways",
            "--shots",
            "--queries",
            "--episodes",
            "--classifier",
            "--seed",
            "--out"
        }) {
            assertTrue(help.contains(option), option);
        }
    }

    private static List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(run)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
