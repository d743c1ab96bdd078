package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report.html}: written at the end of {@code train} and by {@code camloss report}, self-contained (no script,
 * every picture a data URI), with every section; loaded in a real headless browser (Debian's Chromium, which
 * {@code .ci/run} installs), whose screenshot shows the charts and the gallery.
 */
class ReportTest {
    static Path run;
    static String trainOutput;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void train(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("tiny.yaml");
        Files.writeString(
                config,
                """
                name: report-cli
                seed: 4
                data: { id: shapes, params: { classes: 3, train: 64, test: 20, size: 16 } }
                backbone: { id: resnet-cifar, params: { depth: 8, width: 0.25 } }
                loss: { id: cam-loss }
                train: { epochs: 2, batch_size: 32, threads: 1 }
                """);
        run = tmp.resolve("run");
        StringWriter sink = new StringWriter();
        int status = Main.commandLine(new PrintWriter(sink, true), new PrintWriter(sink, true))
                .execute("train", config.toString(), "--out", run.toString(), "--no-progress");
        assertEquals(0, status, sink.toString());
        trainOutput = sink.toString();
    }

    private int cli(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void trainWritesASelfContainedReportWithEverySection() throws Exception {
        assertTrue(trainOutput.contains("report: " + run.resolve("report.html")), trainOutput);
        Document doc = Jsoup.parse(run.resolve("report.html").toFile(), "UTF-8");
        assertEquals("camloss report: report-cli", doc.title());
        for (String id : RunReport.SECTIONS.keySet()) {
            assertTrue(doc.getElementById(id) != null, "section " + id);
        }
        assertTrue(doc.select("script").isEmpty(), "no scripts");
        assertTrue(doc.select("link, iframe, object, embed").isEmpty(), "no external resources");
        for (Element img : doc.select("img")) {
            assertTrue(img.attr("src").startsWith("data:image/png;base64,"), img.attr("src"));
        }
        assertEquals(4, doc.select("#curves img").size(), "loss terms, accuracy, learning rate, localisation");
        // 20 test images: the 6 most and the 6 least confident, each the image, its CAAM and its CAM
        assertEquals(12, doc.select("#gallery figure.card").size());
        assertEquals(36, doc.select("#gallery img").size());
        Element confusion = doc.selectFirst("table.confusion");
        assertEquals(4, confusion.select("tr").size(), "header + 3 classes");
        int total = 0;
        for (Element td : confusion.select("td")) {
            total += Integer.parseInt(td.text());
        }
        assertEquals(20, total);
        assertTrue(doc.getElementById("cam-metrics").text().contains("pointing game"));
        assertTrue(doc.getElementById("config").text().contains("\"resnet-cifar\""));
        assertTrue(Files.isRegularFile(run.resolve("eval.json")), "the report evaluated the run");
    }

    @Test
    void reportShowsFaithfulnessOnceEvalMeasuredIt() throws Exception {
        assertEquals(
                0,
                cli("eval", run.toString(), "--faithfulness", "--limit", "8", "--steps", "4", "--no-progress"),
                err.toString());
        assertEquals(0, cli("report", run.toString(), "--no-progress"), err.toString());
        assertTrue(out.toString().contains("written: " + run.resolve("report.html")), out.toString());
        Document doc = Jsoup.parse(run.resolve("report.html").toFile(), "UTF-8");
        String text = doc.getElementById("cam-metrics").text();
        assertTrue(text.contains("Faithfulness (eval --faithfulness: 8 test images, predicted class, 4 steps"), text);
        assertEquals(3, doc.select("#cam-metrics table").get(1).select("tr").size(), "header, cam, caam");
    }

    @Test
    void aDirectoryThatIsNotARunIsRefused(@TempDir Path tmp) {
        assertEquals(2, cli("report", tmp.toString()));
        assertTrue(err.toString().startsWith("error: "), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
        assertFalse(Files.exists(tmp.resolve("report.html")));
    }

    /** Debian's Chromium, when installed. */
    private static Path chromium() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    @Test
    void aHeadlessBrowserLoadsItWithoutErrorsAndShowsChartsAndGallery(@TempDir Path tmp) throws Exception {
        assertShowsChartsAndHeatmaps(run.resolve("report.html"), tmp);
    }

    /**
     * Loads {@code html} in headless Chromium (the test is skipped where it is missing) and checks that no script or
     * console error is logged and that the screenshot holds many colours, among them the heatmaps' reds and blues.
     */
    static void assertShowsChartsAndHeatmaps(Path html, Path tmp) throws Exception {
        Path browser = chromium();
        assumeTrue(browser != null, "Chromium is not installed (.ci/run installs it)");
        Path shot = tmp.resolve("shot.png");
        Path log = tmp.resolve("chromium.log");
        List<String> cmd = new ArrayList<>(List.of(
                browser.toString(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--enable-logging=stderr",
                "--v=0",
                "--user-data-dir=" + tmp.resolve("profile"),
                "--window-size=1400,2400",
                "--screenshot=" + shot,
                html.toUri().toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "Chromium did not finish in 120 s");
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        assertFalse(output.contains("Uncaught"), "script error: " + output);
        assertFalse(output.matches("(?s).*CONSOLE\\(\\d+\\).*"), "console message: " + output);
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1400, img.getWidth());
        // the charts (series colours on white) and the gallery (jet colours: saturated reds and blues) were drawn
        Set<Integer> colours = new HashSet<>();
        int red = 0;
        int blue = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                int r = rgb >> 16 & 0xFF;
                int g = rgb >> 8 & 0xFF;
                int b = rgb & 0xFF;
                red += r > 180 && g < 90 && b < 90 ? 1 : 0;
                blue += b > 180 && r < 90 && g < 120 ? 1 : 0;
            }
        }
        assertTrue(colours.size() > 2000, "a page of pictures, not a blank one: " + colours.size() + " colours");
        assertTrue(red > 500 && blue > 500, "heatmap colours: red " + red + ", blue " + blue);
    }
}
