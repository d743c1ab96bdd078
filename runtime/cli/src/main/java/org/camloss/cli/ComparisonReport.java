package org.camloss.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.Comparison;
import org.camloss.runtime.explain.ExplainListener;
import org.camloss.runtime.explain.ExplainRequest;
import org.camloss.runtime.explain.ExplainResult;
import org.camloss.runtime.explain.Heatmap;
import org.camloss.runtime.run.Json;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * A comparison's {@code report.html}: one self-contained page (no script; the accuracy chart {@code compare} drew
 * inlined as a data URI) with every metric's mean ± standard deviation per variant (faithfulness columns included
 * when {@code compare --faithfulness} measured them), a CAM gallery (the first {@value #GALLERY} test images with
 * the CAAM and the true-class CAM of each variant's first run, side by side) and each run's row.
 */
final class ComparisonReport {
    /** Test images in the gallery. */
    static final int GALLERY = 6;

    private ComparisonReport() {}

    /**
     * Writes {@code dir/report.html}.
     *
     * @param chart the PNG of the accuracy curves, or null
     * @return the file written
     */
    static Path write(Camloss camloss, Comparison c, Path dir, String title, Path chart) {
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

        gallery(camloss, c, body.appendElement("section").attr("id", "gallery"));

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
        return save(doc, dir);
    }

    /** Per variant, its first run's CAAM and true-class CAM of the same first test images. */
    private static void gallery(Camloss camloss, Comparison c, Element section) {
        section.appendElement("h2").text("CAM gallery (each variant's first run, the first test images)");
        Map<String, ExplainResult> byVariant = new LinkedHashMap<>();
        for (String v : c.variants()) {
            c.rows().stream()
                    .filter(r -> v.equals(r.get("variant")))
                    .findFirst()
                    .ifPresent(r -> byVariant.put(
                            v,
                            camloss.explain(
                                    ExplainRequest.builder(
                                                    Path.of(r.get("run_dir").toString()))
                                            .data("test", null, List.of())
                                            .limit(GALLERY)
                                            .methods(List.of("caam", "cam"), List.of())
                                            .target("true")
                                            .write(false)
                                            .overlays(false)
                                            .gridRows(0)
                                            .keepImages(true)
                                            .build(),
                                    ExplainListener.NONE)));
        }
        if (byVariant.isEmpty()) {
            return;
        }
        ExplainResult first = byVariant.values().iterator().next();
        section.appendElement("p")
                .text(
                        "Each row: the image, then per variant its CAAM and the CAM of the true class (resized bilinearly "
                                + "to the image, min-max normalised, jet colormap: blue low, red high) with the variant's "
                                + "prediction and confidence.");
        Element table = section.appendElement("table").addClass("gallery-table");
        Element head = table.appendElement("tr");
        head.appendElement("th").text("image");
        byVariant
                .keySet()
                .forEach(v -> head.appendElement("th").attr("colspan", "2").text(v + ": CAAM, CAM"));
        @SuppressWarnings("unchecked")
        List<Integer> size = ((List<Object>) first.json().get("image_size"))
                .stream().map(v -> ((Number) v).intValue()).toList();
        int h = size.get(0);
        int w = size.get(1);
        int scale = Math.max(1, (112 + Math.max(h, w) - 1) / Math.max(h, w));
        for (int i = 0; i < first.images().size(); i++) {
            ExplainResult.Image img = first.images().get(i);
            Element tr = table.appendElement("tr");
            Element cell = tr.appendElement("td");
            cell.appendElement("img")
                    .attr(
                            "src",
                            RunReport.dataUri(Heatmap.png(Heatmap.overlay(img.display(), h, w, null, 0, 0, scale, 0))))
                    .attr("alt", img.name());
            cell.appendElement("div")
                    .addClass("caption")
                    .text(img.name() + " · true " + first.classes().get(img.label()));
            for (ExplainResult r : byVariant.values()) {
                ExplainResult.Image x = r.images().get(i);
                for (String method : List.of("caam", "cam")) {
                    Element td = tr.appendElement("td");
                    td.appendElement("img")
                            .attr(
                                    "src",
                                    RunReport.dataUri(Heatmap.png(Heatmap.overlay(
                                            x.display(),
                                            h,
                                            w,
                                            x.maps().get(method),
                                            r.mapHeight(),
                                            r.mapWidth(),
                                            scale,
                                            0.5))))
                            .attr("alt", method + " of " + x.name());
                    td.appendElement("div")
                            .addClass("caption")
                            .text(String.format(
                                    Locale.ROOT, "pred %s (%.3f)", r.classes().get(x.predicted()), x.confidence()));
                }
            }
        }
    }

    private static Path save(Document doc, Path dir) {
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
