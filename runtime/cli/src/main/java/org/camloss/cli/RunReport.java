package org.camloss.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.camloss.api.UserException;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.explain.ExplainListener;
import org.camloss.runtime.explain.ExplainRequest;
import org.camloss.runtime.explain.ExplainResult;
import org.camloss.runtime.explain.Heatmap;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.RunDirectory;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * A run's {@code report.html}: one self-contained page (no script, no external resource; charts and pictures are
 * PNG data URIs) with the run's config and provenance, curves from {@code metrics.jsonl} (loss terms, accuracy,
 * learning rate, localisation per epoch; drawn by XChart), the confusion matrix and per-class accuracy from
 * {@code eval.json} (the run is evaluated first when it has none), a CAM gallery (the most and the least confident of
 * the first {@value #GALLERY_POOL} test images: the image, its CAAM and the CAM of its true class, drawn as
 * {@code camloss explain} draws them) and the localisation and faithfulness tables ({@code eval --faithfulness}).
 * The page is built as a jsoup DOM, so every text is escaped.
 */
final class RunReport {
    /** The file's name in the run directory. */
    static final String FILE = "report.html";
    /** Test images the gallery chooses from. */
    static final int GALLERY_POOL = 500;
    /** Images in each half of the gallery. */
    static final int GALLERY_EACH = 6;

    private RunReport() {}

    /**
     * Writes {@code report.html} into the run directory (replacing an older report: it is a view of the run's files).
     *
     * @return the file written
     * @throws UserException when the directory is not a finished run
     */
    static Path write(Camloss camloss, Path runDir, ExplainListener listener) {
        RunDirectory run = RunDirectory.open(runDir);
        Map<String, Object> config = read(run.runJson());
        Object provenance = config.remove("provenance");
        Path evalFile = run.evalJson();
        if (!Files.isRegularFile(evalFile)) {
            camloss.evaluate(run.path());
        }
        Map<String, Object> eval = read(evalFile);
        List<Map<String, Object>> epochs = metrics(run.path().resolve(RunDirectory.METRICS));
        ExplainResult gallery = camloss.explain(
                ExplainRequest.builder(run.path())
                        .data("test", null, List.of())
                        .limit(GALLERY_POOL)
                        .methods(List.of("caam", "cam"), List.of())
                        .target("true")
                        .write(false)
                        .overlays(false)
                        .gridRows(0)
                        .keepImages(true)
                        .build(),
                listener);

        String name = String.valueOf(config.getOrDefault("name", run.path().getFileName()));
        Document doc = Document.createShell("");
        doc.title("camloss report: " + name);
        doc.head().appendElement("meta").attr("charset", "utf-8");
        doc.head().appendElement("style").appendText(CSS);
        Element body = doc.body();
        body.appendElement("h1").text("camloss report: " + name);
        body.appendElement("p")
                .addClass("meta")
                .text(String.format(
                        Locale.ROOT,
                        "%s · %s · %s · test accuracy %s on %s images · report written %s",
                        run.path().toAbsolutePath(),
                        eval.getOrDefault("dataset", "?"),
                        eval.getOrDefault("model", "?"),
                        number(eval.get("accuracy")),
                        eval.getOrDefault("count", "?"),
                        java.time.Instant.now()));

        Element nav = body.appendElement("nav");
        SECTIONS.forEach(
                (id, t) -> nav.appendElement("a").attr("href", "#" + id).text(t));
        curves(body.appendElement("section").attr("id", "curves"), epochs);
        evaluation(body.appendElement("section").attr("id", "evaluation"), eval);
        gallery(body.appendElement("section").attr("id", "gallery"), gallery);
        tables(body.appendElement("section").attr("id", "cam-metrics"), eval);

        Element cfg = body.appendElement("section").attr("id", "config");
        cfg.appendElement("h2").text("Config (run.json, a valid config that reruns the run)");
        cfg.appendElement("pre").text(Json.toJson(config));
        cfg.appendElement("h2").text("Provenance");
        cfg.appendElement("pre").text(Json.toJson(provenance == null ? Map.of() : provenance));

        doc.outputSettings().prettyPrint(true).charset(StandardCharsets.UTF_8);
        Path file = run.path().resolve(FILE);
        try {
            Path tmp = run.path().resolve("." + FILE + ".tmp");
            Files.writeString(tmp, "<!DOCTYPE html>\n" + doc.html().replaceFirst("^<!doctype html>\\s*", ""));
            Json.moveAtomically(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static Map<String, Object> read(Path file) {
        try {
            return Json.read(file);
        } catch (IOException e) {
            throw new UserException(file + ": unreadable JSON (" + e.getMessage() + ")");
        }
    }

    private static List<Map<String, Object>> metrics(Path file) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(Json.parse(line));
                }
            }
        } catch (IOException e) {
            throw new UserException(file + ": unreadable (" + e.getMessage() + ")");
        }
        return out;
    }

    // ------------------------------------------------------------------ curves

    private static void curves(Element section, List<Map<String, Object>> epochs) {
        section.appendElement("h2").text("Training curves (metrics.jsonl)");
        if (epochs.isEmpty()) {
            section.appendElement("p").text("metrics.jsonl holds no epoch.");
            return;
        }
        Set<String> keys = new LinkedHashSet<>();
        epochs.forEach(e -> keys.addAll(e.keySet()));
        List<String> losses = new ArrayList<>();
        List<String> accuracy = new ArrayList<>();
        List<String> localization = new ArrayList<>();
        for (String k : keys) {
            if (k.startsWith("train_") && !k.equals("train_seconds")
                    || k.equals("test_ce")
                    || k.equals("test_cam_loss")) {
                losses.add(k);
            } else if (k.contains("accuracy")) {
                accuracy.add(k);
            } else if (k.matches("test_(caam|cam)_(pointing|energy|iou)")) {
                localization.add(k);
            }
        }
        Element grid = section.appendElement("div").addClass("charts");
        chart(grid, "Loss terms", "value", epochs, losses);
        chart(grid, "Accuracy", "accuracy", epochs, accuracy);
        chart(grid, "Learning rate", "learning rate", epochs, keys.contains("lr") ? List.of("lr") : List.of());
        chart(grid, "Localisation on the test split", "score", epochs, localization);
    }

    private static void chart(
            Element parent, String title, String yTitle, List<Map<String, Object>> epochs, List<String> series) {
        if (series.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder()
                .width(640)
                .height(340)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (String key : series) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < epochs.size(); i++) {
                Object v = epochs.get(i).get(key);
                if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                    Object e = epochs.get(i).get("epoch");
                    x.add(e instanceof Number en ? en.doubleValue() : (double) (i + 1));
                    y.add(n.doubleValue());
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(key, x, y);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            return;
        }
        byte[] png;
        try {
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("report: cannot draw the chart '" + title + "'", e);
        }
        Element fig = parent.appendElement("figure").addClass("chart");
        fig.appendElement("img").attr("src", dataUri(png)).attr("alt", title + ": " + String.join(", ", series));
    }

    // ------------------------------------------------------------------ evaluation

    @SuppressWarnings("unchecked")
    private static void evaluation(Element section, Map<String, Object> eval) {
        section.appendElement("h2").text("Evaluation on the test split (eval.json)");
        List<String> classes = eval.get("classes") instanceof List<?> l
                ? l.stream().map(String::valueOf).toList()
                : List.of();
        Element summary = section.appendElement("table").addClass("numbers");
        for (String key : List.of("count", "accuracy", "top5_accuracy", "ce", "cam_loss")) {
            if (eval.containsKey(key)) {
                Element tr = summary.appendElement("tr");
                tr.appendElement("th").text(key);
                tr.appendElement("td").text(number(eval.get(key)));
            }
        }
        if (eval.get("per_class_accuracy") instanceof Map<?, ?> perClass) {
            section.appendElement("h3").text("Per-class accuracy");
            Element t = section.appendElement("table").addClass("numbers");
            Element head = t.appendElement("tr");
            head.appendElement("th").text("class");
            head.appendElement("th").text("accuracy");
            ((Map<String, Object>) perClass).forEach((k, v) -> {
                Element tr = t.appendElement("tr");
                tr.appendElement("td").text(k);
                tr.appendElement("td").text(number(v));
            });
        }
        if (eval.get("confusion") instanceof List<?> rows && !rows.isEmpty()) {
            section.appendElement("h3").text("Confusion matrix (rows: true class, columns: predicted)");
            Element t = section.appendElement("table").addClass("confusion");
            Element head = t.appendElement("tr");
            head.appendElement("th");
            for (int j = 0; j < rows.size(); j++) {
                head.appendElement("th").text(j < classes.size() ? classes.get(j) : Integer.toString(j));
            }
            for (int i = 0; i < rows.size(); i++) {
                List<Object> row = (List<Object>) rows.get(i);
                double total = row.stream()
                        .mapToDouble(v -> ((Number) v).doubleValue())
                        .sum();
                Element tr = t.appendElement("tr");
                tr.appendElement("th").text(i < classes.size() ? classes.get(i) : Integer.toString(i));
                for (Object v : row) {
                    double share = total > 0 ? ((Number) v).doubleValue() / total : 0;
                    tr.appendElement("td")
                            .attr(
                                    "style",
                                    String.format(
                                            Locale.ROOT,
                                            "background: rgba(31, 119, 180, %.3f); color: %s",
                                            share,
                                            share > 0.5 ? "white" : "black"))
                            .text(String.valueOf(v));
                }
            }
        }
    }

    // ------------------------------------------------------------------ gallery

    private static void gallery(Element section, ExplainResult r) {
        section.appendElement("h2").text("CAM gallery");
        List<ExplainResult.Image> images = new ArrayList<>(r.images());
        section.appendElement("p")
                .text(String.format(
                        Locale.ROOT,
                        "The %d most and the %d least confident of the first %d test images (confidence: the softmax "
                                + "probability of the predicted class). Each shows the image, its CAAM (class-agnostic) "
                                + "and the CAM of its true class at layer %s (%dx%d maps), resized bilinearly to the "
                                + "image, min-max normalised, jet colormap (blue low, red high).",
                        Math.min(GALLERY_EACH, images.size()),
                        Math.min(GALLERY_EACH, Math.max(0, images.size() - GALLERY_EACH)),
                        images.size(),
                        r.layer(),
                        r.mapHeight(),
                        r.mapWidth()));
        images.sort(Comparator.comparingDouble(ExplainResult.Image::confidence).reversed());
        List<Integer> size = imageSize(r);
        int most = Math.min(GALLERY_EACH, images.size());
        galleryRow(section, "Most confident", images.subList(0, most), r, size);
        int least = Math.min(GALLERY_EACH, images.size() - most);
        List<ExplainResult.Image> tail = new ArrayList<>(images.subList(images.size() - least, images.size()));
        java.util.Collections.reverse(tail);
        galleryRow(section, "Least confident", tail, r, size);
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> imageSize(ExplainResult r) {
        return ((List<Object>) r.json().get("image_size"))
                .stream().map(v -> ((Number) v).intValue()).toList();
    }

    private static void galleryRow(
            Element section, String title, List<ExplainResult.Image> images, ExplainResult r, List<Integer> size) {
        if (images.isEmpty()) {
            return;
        }
        section.appendElement("h3").text(title);
        Element row = section.appendElement("div").addClass("gallery");
        int h = size.get(0);
        int w = size.get(1);
        int scale = Math.max(1, (112 + Math.max(h, w) - 1) / Math.max(h, w));
        for (ExplainResult.Image img : images) {
            Element card = row.appendElement("figure").addClass("card");
            Element pics = card.appendElement("div").addClass("pics");
            pics.appendElement("img")
                    .attr("src", dataUri(Heatmap.png(Heatmap.overlay(img.display(), h, w, null, 0, 0, scale, 0))))
                    .attr("alt", img.name());
            for (String method : List.of("caam", "cam")) {
                pics.appendElement("img")
                        .attr(
                                "src",
                                dataUri(Heatmap.png(Heatmap.overlay(
                                        img.display(),
                                        h,
                                        w,
                                        img.maps().get(method),
                                        r.mapHeight(),
                                        r.mapWidth(),
                                        scale,
                                        0.5))))
                        .attr("alt", method.toUpperCase(Locale.ROOT) + " of " + img.name());
            }
            String label = img.label() >= 0 ? r.classes().get(img.label()) : "?";
            card.appendElement("figcaption")
                    .text(String.format(
                            Locale.ROOT,
                            "%s · true %s · predicted %s (%.3f) · image, CAAM, CAM of %s",
                            img.name(),
                            label,
                            r.classes().get(img.predicted()),
                            img.confidence(),
                            label));
        }
    }

    // ------------------------------------------------------------------ CAM metrics

    @SuppressWarnings("unchecked")
    private static void tables(Element section, Map<String, Object> eval) {
        section.appendElement("h2").text("Localisation and faithfulness");
        if (eval.containsKey("caam_pointing") || eval.containsKey("cam_pointing")) {
            section.appendElement("h3").text("Localisation against the test split's masks (eval.json)");
            Element t = section.appendElement("table").addClass("numbers");
            Element head = t.appendElement("tr");
            for (String c : List.of("map", "pointing game", "energy", "IoU@0.5")) {
                head.appendElement("th").text(c);
            }
            for (String m : List.of("caam", "cam")) {
                Element tr = t.appendElement("tr");
                tr.appendElement("td").text(m.toUpperCase(Locale.ROOT));
                for (String k : List.of("pointing", "energy", "iou")) {
                    tr.appendElement("td").text(number(eval.get(m + "_" + k)));
                }
            }
        } else {
            section.appendElement("p").text("The test split has no object masks: no localisation metrics.");
        }
        if (eval.get("faithfulness") instanceof Map<?, ?> f) {
            Map<String, Object> faith = (Map<String, Object>) f;
            section.appendElement("h3")
                    .text(String.format(
                            Locale.ROOT,
                            "Faithfulness (eval --faithfulness: %s test images, predicted class, %s steps, deletion to "
                                    + "%s, insertion from %s)",
                            faith.get("images"),
                            faith.get("steps"),
                            faith.get("deletion_baseline"),
                            faith.get("insertion_baseline")));
            Element t = section.appendElement("table").addClass("numbers");
            Element head = t.appendElement("tr");
            for (String c : List.of(
                    "method",
                    "deletion AUC (lower is better)",
                    "insertion AUC (higher)",
                    "average drop % (lower)",
                    "increase in confidence % (higher)")) {
                head.appendElement("th").text(c);
            }
            ((Map<String, Object>) faith.get("methods")).forEach((id, v) -> {
                Map<String, Object> m = (Map<String, Object>) v;
                Element tr = t.appendElement("tr");
                tr.appendElement("td").text(id);
                for (String k : List.of("deletion_auc", "insertion_auc", "average_drop", "increase_in_confidence")) {
                    tr.appendElement("td").text(number(m.get(k)));
                }
            });
        } else {
            section.appendElement("p")
                    .text("No faithfulness metrics yet: 'camloss eval RUN_DIR --faithfulness' adds them to eval.json, "
                            + "then 'camloss report RUN_DIR' shows them.");
        }
    }

    // ------------------------------------------------------------------ helpers

    static String number(Object v) {
        if (v instanceof Integer || v instanceof Long) {
            return v.toString();
        }
        return v instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : "–";
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    /** Map of section ids to titles, for tests and the table of contents. */
    static final Map<String, String> SECTIONS = new LinkedHashMap<>();

    static {
        SECTIONS.put("curves", "Training curves");
        SECTIONS.put("evaluation", "Evaluation");
        SECTIONS.put("gallery", "CAM gallery");
        SECTIONS.put("cam-metrics", "Localisation and faithfulness");
        SECTIONS.put("config", "Config and provenance");
    }

    static final String CSS = String.join(
            "\n",
            "body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1400px; }",
            "h1 { margin-bottom: 0.2em; } .meta { color: #666; } nav a { margin-right: 1em; }",
            ".charts { display: flex; flex-wrap: wrap; gap: 1em; } .chart { margin: 0; }",
            "table { border-collapse: collapse; margin: 0.5em 0 1em; }",
            "th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }",
            "th:first-child, td:first-child { text-align: left; }",
            ".gallery { display: flex; flex-wrap: wrap; gap: 1em; }",
            ".card { margin: 0; border: 1px solid #ddd; padding: 0.4em; }",
            ".pics img { margin-right: 4px; image-rendering: pixelated; }",
            "figcaption, .caption { font-size: 0.8em; color: #444; max-width: 360px; }",
            ".gallery-table td { vertical-align: top; text-align: center; }",
            "pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }");
}
