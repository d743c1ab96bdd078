package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.camloss.runtime.run.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare --faithfulness}: each run's faithfulness metrics become columns; a bad method trains nothing. */
class CompareFaithfulnessTest {
    private static final String TINY = "name: tiny\nseed: 3\n"
            + "data: { id: shapes, params: { classes: 3, train: 64, test: 16, size: 16 } }\n"
            + "backbone: { id: resnet-cifar, params: { depth: 8, width: 0.25 } }\n"
            + "loss: { id: cam-loss }\n"
            + "train: { epochs: 1, batch_size: 32, progress: false }\n";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachRunsMetricsAreColumnsAsEvalMeasuresThem(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("c.yaml");
        Files.writeString(cfg, TINY);
        Path dir = tmp.resolve("cmp");
        int code = run(
                "compare",
                cfg.toString(),
                "--seeds",
                "1",
                "--faithfulness",
                "--method",
                "cam,grad-cam",
                "--faithfulness-limit",
                "8",
                "--steps",
                "4",
                "--out",
                dir.toString(),
                "--no-progress");
        assertEquals(0, code, err.toString());
        String header = Files.readAllLines(dir.resolve("compare.csv")).get(0);
        for (String col : List.of(
                "cam_deletion_auc",
                "cam_insertion_auc",
                "cam_average_drop",
                "cam_increase_in_confidence",
                "grad-cam_deletion_auc",
                "grad-cam_increase_in_confidence")) {
            assertTrue(List.of(header.split(",")).contains(col), col + " in " + header);
        }
        assertTrue(out.toString().contains("grad-cam_insertion_auc"), out.toString());

        // the comparison's report.html: the same table, the chart inlined, a row per run, no script
        org.jsoup.nodes.Document doc =
                org.jsoup.Jsoup.parse(dir.resolve("report.html").toFile(), "UTF-8");
        assertTrue(doc.select("script").isEmpty());
        assertTrue(doc.selectFirst("#curves img").attr("src").startsWith("data:image/png;base64,"));
        assertTrue(doc.getElementById("summary").text().contains("grad-cam_deletion_auc"));
        assertEquals(3, doc.select("#runs tr").size(), "header + cross-entropy + cam-loss");
        assertEquals(
                List.of("cross-entropy-seed3", "cam-loss-seed3"),
                doc.select("#runs a").eachText());
        ReportTest.assertShowsChartsAndHeatmaps(dir.resolve("report.html"), tmp);
        // the gallery: 6 test images, each the image then CAAM and CAM per variant
        assertEquals(7, doc.select("#gallery tr").size());
        assertEquals(6 * 5, doc.select("#gallery img").size());
        for (org.jsoup.nodes.Element img : doc.select("img")) {
            assertTrue(img.attr("src").startsWith("data:image/png;base64,"));
        }

        // the same numbers as eval --faithfulness on that run with the same settings
        Map<String, Object> row = ((List<Map<String, Object>>)
                        Json.read(dir.resolve("compare.json")).get("runs"))
                .get(1);
        Path runDir = Path.of((String) row.get("run_dir"));
        assertEquals(
                0,
                run(
                        "eval",
                        runDir.toString(),
                        "--faithfulness",
                        "--method",
                        "cam,grad-cam",
                        "--limit",
                        "8",
                        "--steps",
                        "4",
                        "--no-progress"),
                err.toString());
        Map<String, Object> f = (Map<String, Object>)
                ((Map<String, Object>) Json.read(runDir.resolve("eval.json")).get("faithfulness")).get("methods");
        assertEquals(
                ((Number) ((Map<String, Object>) f.get("grad-cam")).get("deletion_auc")).doubleValue(),
                ((Number) row.get("grad-cam_deletion_auc")).doubleValue(),
                1e-12);
    }

    @Test
    void aBadMethodIsRefusedBeforeAnythingTrains(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("c.yaml");
        Files.writeString(cfg, TINY);
        Path dir = tmp.resolve("cmp");
        assertEquals(
                2,
                run(
                        "compare",
                        cfg.toString(),
                        "--seeds",
                        "1",
                        "--faithfulness",
                        "--method",
                        "gradcam",
                        "--out",
                        dir.toString(),
                        "--no-progress"));
        assertEquals(
                "error: --method: no cam-method plugin 'gradcam'; did you mean 'grad-cam'? available: [caam, cam, "
                        + "grad-cam, grad-cam-plus-plus, layer-cam, score-cam]",
                err.toString().strip());
        assertFalse(Files.exists(dir));
        err.getBuffer().setLength(0);
        assertEquals(2, run("compare", cfg.toString(), "--method", "cam", "--out", dir.toString()));
        assertEquals(
                "error: --method: only with --faithfulness (it sets the faithfulness measurement, "
                        + "which runs only then); add --faithfulness or drop --method",
                err.toString().strip());
        assertFalse(Files.exists(dir));
    }

    /**
     * Options that would be silently ignored, empty values and bad {@code --distillers} sets (an unknown id named
     * {@code --set} in two lines; a set given twice trained every run, then failed with a stack trace): exit 2, one
     * line naming the option, before anything trains.
     */
    @Test
    void badOptionsExitWithTwoBeforeAnyRunTrains(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("c.yaml");
        Files.writeString(cfg, TINY);
        Path dir = tmp.resolve("cmp");
        String teacher = tmp.resolve("teacher").toString(); // never read: refused first
        String[][] cases = { // {the option the message names, the arguments after CONFIG...}
            {"--faithfulness-limit", "--faithfulness-limit", "-1"},
            {"--steps", "--steps", "0"},
            {"--teacher", "--teacher", teacher},
            {"--teacher", "--teacher", teacher, "--regularizers", "none,mixup"},
            {"--teacher", "--teacher", "", "--distillers", "kd"},
            {"--method", "--faithfulness", "--method", ""},
            {"--distillers", "--distillers", ""},
            {"--distillers", "--distillers", "kd,kd+", "--teacher", teacher},
            {"--distillers", "--distillers", "none+kd", "--teacher", teacher},
            {"--distillers", "--distillers", "bogus", "--teacher", teacher},
            {"--distillers", "--distillers", "none,none"},
            {"--out", "--out", ""},
            {"CONFIG"},
        };
        List<String> failures = new java.util.ArrayList<>();
        for (String[] k : cases) {
            List<String> args = new java.util.ArrayList<>(
                    List.of("compare", k[0].equals("CONFIG") ? "" : cfg.toString(), "--seeds", "1", "--no-progress"));
            args.addAll(List.of(k).subList(1, k.length));
            if (!args.contains("--out")) {
                args.addAll(List.of("--out", dir.toString()));
            }
            err.getBuffer().setLength(0);
            int code = run(args.toArray(String[]::new));
            String problem = MainTest.problem(code, err.toString(), k[0]);
            if (Files.exists(dir)) {
                problem = "trained before it refused";
                MainTest.deleteTree(dir);
            }
            if (problem != null) {
                failures.add(String.join(" ", args) + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
