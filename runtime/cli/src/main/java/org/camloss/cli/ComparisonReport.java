package org.camloss.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.camloss.runtime.Comparison;
import org.camloss.runtime.run.Json;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * A comparison's {@code report.html}: one self-contained page (no script; the accuracy chart {@code compare} drew
 * inlined as a data URI) with every metric's mean ± standard deviation per variant (faithfulness columns included
 * when {@code compare --faithfulness} measured them), each run's row, and the compared configs' differences.
 */
final class ComparisonReport {
    private ComparisonReport() {}

    /**
     * Writes {@code dir/report.html}.
     *
     * @param chart the PNG of the accuracy curves, or null
     * @return the file written
     */
    static Path write(Comparison c, Path dir, String title, Path chart) {
        Document doc = Document.createShell("");
        doc.title("camloss comparison: " + title);
        doc.head().appendElement("meta").attr("charset", "utf-8");
        doc.head().appendElement("style").appendText(RunReport.CSS);
        Element body = doc.body();
        body.appendElement("h1").text("camloss comparison: " + title);
        body.appendElement("p")
                .addClass("meta")
                .text(dir.toAbsolutePath() + " · variants " + String.join(", ", c.variants()) + " · "
                        + c.rows().size() + " runs · report written " + java.time.Instant.now());

        Element summary = body.appendElement("section").attr("id", "summary");
        summary.appendElement("h2").text("Mean ± standard deviation over the seeds (sample, n − 1)");
        Element t = summary.appendElement("table").addClass("numbers");
        Element head = t.appendElement("tr");
        head.appendElement("th").text("metric");
        for (String v : c.variants()) {
            head.appendElement("th").text(v);
        }
        for (String metric : c.metrics()) {
            Element tr = t.appendElement("tr");
            tr.appendElement("td").text(metric);
            for (String v : c.variants()) {
                double[] ms = c.meanStd(v, metric);
                tr.appendElement("td").text(String.format(Locale.ROOT, "%.4f ± %.4f", ms[0], ms[1]));
            }
        }

        if (chart != null && Files.isRegularFile(chart)) {
            Element curves = body.appendElement("section").attr("id", "curves");
            curves.appendElement("h2").text("Test accuracy per epoch (mean over seeds)");
            try {
                curves.appendElement("img")
                        .attr("src", RunReport.dataUri(Files.readAllBytes(chart)))
                        .attr("alt", "test accuracy per epoch, one line per variant");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + chart, e);
            }
        }

        Element runs = body.appendElement("section").attr("id", "runs");
        runs.appendElement("h2").text("Runs");
        Element rt = runs.appendElement("table").addClass("numbers");
        List<String> cols = new java.util.ArrayList<>(List.of("variant", "seed", "run_dir"));
        cols.addAll(c.metrics());
        Element rh = rt.appendElement("tr");
        cols.forEach(col -> rh.appendElement("th").text(col));
        for (Map<String, Object> row : c.rows()) {
            Element tr = rt.appendElement("tr");
            for (String col : cols) {
                Object v = row.get(col);
                if (col.equals("run_dir") && v != null) {
                    Path run = Path.of(v.toString());
                    String rel = dir.toAbsolutePath()
                            .relativize(run.toAbsolutePath())
                            .toString();
                    tr.appendElement("td").appendElement("a").attr("href", rel).text(rel);
                } else {
                    tr.appendElement("td").text(v instanceof Number ? RunReport.number(v) : String.valueOf(v));
                }
            }
        }

        doc.outputSettings().prettyPrint(true).charset(StandardCharsets.UTF_8);
        Path file = dir.resolve(RunReport.FILE);
        try {
            Path tmp = dir.resolve("." + RunReport.FILE + ".tmp");
            Files.writeString(tmp, "<!DOCTYPE html>\n" + doc.html());
            Json.moveAtomically(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
