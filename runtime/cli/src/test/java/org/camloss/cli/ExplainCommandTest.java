package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.camloss.runtime.run.Json;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@code camloss explain} on a tiny shapes run trained by {@code camloss train}, on image files and on plain DL4J
 * graphs: the files it writes (overlays, grid, maps.npz, explain.json) and its refusals (exit 2, one message, no
 * output directory and no temporary one left behind).
 */
class ExplainCommandTest {
    static Path run;
    static Path images;
    static Path plainGraph;
    static Path maxPoolGraph;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void prepare(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("tiny.yaml");
        Files.writeString(
                config,
                """
                name: explain-cli
                seed: 2
                data: { id: shapes, params: { classes: 3, train: 64, test: 16, size: 16 } }
                backbone: { id: resnet-cifar, params: { depth: 8, width: 0.25 } }
                loss: { id: cam-loss }
                train: { epochs: 1, batch_size: 32, threads: 1 }
                """);
        run = tmp.resolve("run");
        StringWriter sink = new StringWriter();
        int status = Main.commandLine(new PrintWriter(sink, true), new PrintWriter(sink, true))
                .execute("train", config.toString(), "--out", run.toString(), "--no-progress", "--no-report");
        assertEquals(0, status, sink.toString());

        images = tmp.resolve("images");
        Files.createDirectories(images.resolve("sub"));
        writeImage(images.resolve("a.png"), 20, 24, 1);
        writeImage(images.resolve("sub/b.png"), 16, 16, 2);
        writeImage(images.resolve("c.jpg"), 30, 18, 3);
        Files.writeString(images.resolve("notes.txt"), "not an image, ignored");

        plainGraph = tmp.resolve("plain.zip");
        ModelSerializer.writeModel(graph(PoolingType.AVG), plainGraph.toFile(), false);
        maxPoolGraph = tmp.resolve("maxpool.zip");
        ModelSerializer.writeModel(graph(PoolingType.MAX), maxPoolGraph.toFile(), false);
    }

    /** A plain DL4J graph on 16×16×3 NHWC images: convolution, global pooling, softmax output of 3 classes. */
    private static ComputationGraph graph(PoolingType pooling) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(5)
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(16, 16, 3, CNN2DFormat.NHWC))
                .addLayer(
                        "conv",
                        new ConvolutionLayer.Builder(3, 3)
                                .nOut(4)
                                .stride(2, 2)
                                .convolutionMode(ConvolutionMode.Same)
                                .activation(Activation.RELU)
                                .dataFormat(CNN2DFormat.NHWC)
                                .build(),
                        "in")
                .addLayer("pool", new GlobalPoolingLayer(pooling), "conv")
                .addLayer(
                        "fc",
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nIn(4)
                                .nOut(3)
                                .activation(Activation.SOFTMAX)
                                .build(),
                        "pool")
                .setOutputs("fc")
                .build());
        g.init();
        return g;
    }

    private static void writeImage(Path file, int h, int w, int seed) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        String name = file.getFileName().toString();
        assertTrue(ImageIO.write(img, name.substring(name.lastIndexOf('.') + 1).replace("jpg", "jpeg"), file.toFile()));
    }

    private int explain(Path model, String... args) {
        List<String> all = new ArrayList<>(List.of("explain", model.toString()));
        all.addAll(List.of(args));
        all.add("--no-progress");
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(all.toArray(String[]::new));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Path dir) throws Exception {
        return Json.read(dir.resolve("explain.json"));
    }

    private static TreeSet<String> zipEntries(Path file) throws Exception {
        TreeSet<String> names = new TreeSet<>();
        try (ZipFile z = new ZipFile(file.toFile())) {
            z.stream().forEach(e -> names.add(e.getName()));
        }
        return names;
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMethodOnTheRunsTestSplitWithFaithfulness(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("e");
        int status = explain(
                run,
                "--data",
                "test",
                "--limit",
                "5",
                "--method",
                "all",
                "--faithfulness",
                "--steps",
                "4",
                "--out",
                dir.toString());
        assertEquals(0, status, err.toString());
        String text = out.toString();
        assertTrue(
                text.startsWith("5 images, layer s3_b0_relu (4x4 maps), methods caam, cam, grad-cam, "
                        + "grad-cam-plus-plus, layer-cam, score-cam, "),
                text);
        assertTrue(
                text.contains(
                        "method                deletion insertion  avg drop  increase pointing   energy      IoU"),
                text);
        assertTrue(text.contains("written: " + dir), text);
        assertEquals(List.of("explain.json", "grid.png", "maps.npz", "overlays"), listing(dir));
        assertEquals(30, listing(dir.resolve("overlays")).size());
        assertTrue(listing(dir.resolve("overlays")).contains("0004-4-grad-cam-plus-plus.png"));
        BufferedImage overlay =
                ImageIO.read(dir.resolve("overlays/0000-0-cam.png").toFile());
        assertEquals(112, overlay.getWidth());
        assertEquals(112, overlay.getHeight());
        assertEquals(
                new TreeSet<>(List.of(
                        "caam.npy",
                        "cam.npy",
                        "grad-cam.npy",
                        "grad-cam-plus-plus.npy",
                        "layer-cam.npy",
                        "score-cam.npy",
                        "logits.npy",
                        "targets.npy",
                        "labels.npy")),
                zipEntries(dir.resolve("maps.npz")));
        Map<String, Object> j = json(dir);
        assertEquals("camloss-explain/1", j.get("format"));
        assertEquals("s3_b0_relu", j.get("layer"));
        assertEquals(List.of(4, 4), j.get("map_size"));
        assertEquals("pred", j.get("target"));
        assertEquals("camloss run", ((Map<String, Object>) j.get("model")).get("kind"));
        List<Map<String, Object>> imgs = (List<Map<String, Object>>) j.get("images");
        assertEquals(5, imgs.size());
        Map<String, Object> first = imgs.get(0);
        assertEquals("test/0", first.get("name"));
        assertEquals(first.get("predicted"), first.get("target"));
        Map<String, Object> faith = (Map<String, Object>) ((Map<String, Object>) first.get("faithfulness")).get("cam");
        double auc = ((Number) faith.get("deletion_auc")).doubleValue();
        assertTrue(auc >= 0 && auc <= 1, faith.toString());
        Map<String, Object> summary = (Map<String, Object>) ((Map<String, Object>) j.get("summary")).get("score-cam");
        assertEquals(5, ((List<?>) summary.get("deletion_curve")).size(), "4 steps: 5 points");
        assertTrue(summary.containsKey("pointing"), "shapes has masks: " + summary);
    }

    @Test
    @SuppressWarnings("unchecked")
    void imageFilesWithAClassNameAsTarget(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("files");
        int status = explain(
                run,
                "--images",
                images.toString(),
                "--method",
                "grad-cam,cam",
                "--target",
                "square",
                "--out",
                dir.toString());
        assertEquals(0, status, err.toString());
        assertTrue(
                out.toString().startsWith("3 images, layer s3_b0_relu (4x4 maps), methods grad-cam, cam, "),
                out.toString());
        Map<String, Object> j = json(dir);
        List<Map<String, Object>> imgs = (List<Map<String, Object>>) j.get("images");
        assertEquals(
                List.of("images/a.png", "images/c.jpg", "images/sub/b.png"),
                imgs.stream().map(m -> m.get("name")).toList());
        for (Map<String, Object> m : imgs) {
            assertEquals(1, m.get("target"));
            assertEquals(null, m.get("label"));
        }
        assertEquals(1, ((Map<String, Object>) j.get("inputs")).get("other_files_ignored"));
        assertEquals("1 (square)", j.get("target"));
        assertEquals(
                List.of(
                        "0000-a-cam.png",
                        "0000-a-grad-cam.png",
                        "0001-c-cam.png",
                        "0001-c-grad-cam.png",
                        "0002-b-cam.png",
                        "0002-b-grad-cam.png"),
                listing(dir.resolve("overlays")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void masksOfImageFilesGiveThePointingGameEnergyAndIou(@TempDir Path tmp) throws Exception {
        Path masks = tmp.resolve("masks");
        Files.createDirectories(masks.resolve("sub"));
        // the object: the left half of each image, at the image's own size
        writeMask(masks.resolve("a.png"), 20, 24);
        writeMask(masks.resolve("c.png"), 30, 18);
        writeMask(masks.resolve("sub/b.png"), 16, 16);
        Path dir = tmp.resolve("e");
        int status = explain(
                run,
                "--images",
                images.toString(),
                "--masks",
                masks.toString(),
                "--method",
                "cam",
                "--out",
                dir.toString());
        assertEquals(0, status, err.toString());
        assertTrue(out.toString().contains("method               pointing   energy      IoU"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(
                0,
                explain(
                        run,
                        "--images",
                        images.toString(),
                        "--masks",
                        masks.toString(),
                        "--limit",
                        "2",
                        "--out",
                        tmp.resolve("two").toString()),
                err.toString());
        assertTrue(out.toString().startsWith("2 images,"), "--limit applies to files too: " + out);
        Map<String, Object> j = json(dir);
        Map<String, Object> cam = (Map<String, Object>) ((Map<String, Object>) j.get("summary")).get("cam");
        double pointing = ((Number) cam.get("pointing")).doubleValue();
        assertTrue(
                List.of(0.0, 1.0 / 3, 2.0 / 3, 1.0).stream().anyMatch(v -> Math.abs(v - pointing) < 1e-12),
                cam.toString());
        for (Map<String, Object> img : (List<Map<String, Object>>) j.get("images")) {
            Map<String, Object> loc = (Map<String, Object>) ((Map<String, Object>) img.get("localization")).get("cam");
            double energy = ((Number) loc.get("energy")).doubleValue();
            assertTrue(energy > 0 && energy < 1, loc.toString());
        }
    }

    private static void writeMask(Path file, int h, int w) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w / 2; x++) {
                img.getRaster().setSample(x, y, 0, 255);
            }
        }
        assertTrue(ImageIO.write(img, "png", file.toFile()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPlainDl4jGraphWithGradCamAndCam(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("plain");
        int status = explain(
                plainGraph,
                "--logits",
                "fc",
                "--input-shape",
                "16x16x3",
                "--images",
                images.resolve("a.png").toString(),
                images.resolve("sub/b.png").toString(),
                "--method",
                "cam,grad-cam",
                "--target",
                "2",
                "--grid-rows",
                "0",
                "--out",
                dir.toString());
        assertEquals(0, status, err.toString());
        assertTrue(
                out.toString().startsWith("2 images, layer conv (8x8 maps), methods cam, grad-cam, "), out.toString());
        assertEquals(List.of("explain.json", "maps.npz", "overlays"), listing(dir));
        Map<String, Object> j = json(dir);
        Map<String, Object> model = (Map<String, Object>) j.get("model");
        assertEquals("dl4j graph", model.get("kind"));
        assertEquals("fc", model.get("logits"));
        assertEquals("NHWC", model.get("format"));
        assertEquals(List.of("0", "1", "2"), j.get("classes"));
    }

    @Test
    void theDefaultMethodIsGradCamWithoutAnAverageHead(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("max");
        int status = explain(
                maxPoolGraph,
                "--logits",
                "fc",
                "--features",
                "conv",
                "--input-shape",
                "16x16x3",
                "--images",
                images.resolve("a.png").toString(),
                "--out",
                dir.toString());
        assertEquals(0, status, err.toString());
        assertTrue(out.toString().startsWith("1 images, layer conv (8x8 maps), methods grad-cam, "), out.toString());
    }

    @Test
    void badInputExitsTwoWithOneMessageAndLeavesNoDirectory(@TempDir Path tmp) throws Exception {
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("x.png"), "not a png");
        Path masks = tmp.resolve("masks");
        Files.createDirectories(masks.resolve("sub"));
        writeImage(masks.resolve("a.png"), 20, 24, 4);
        writeImage(masks.resolve("c.png"), 30, 18, 5);
        writeImage(masks.resolve("sub/b.png"), 8, 8, 6);
        Path out = tmp.resolve("out");
        String o = out.toString();
        String a = images.resolve("a.png").toString();
        Object[][] cases = {
            {run, new String[] {"--data", "test", "--layer", "nope"}},
            {run, new String[] {"--data", "test", "--target", "3"}},
            {run, new String[] {"--data", "test", "--target", "hexagon"}},
            {run, new String[] {"--images", a, "--target", "true"}},
            {run, new String[] {"--images", broken.toString()}},
            {run, new String[] {"--images", tmp.resolve("missing.png").toString()}},
            {run, new String[] {"--images", images.toString(), "--masks", masks.toString()}},
            {run, new String[] {"--data", "test", "--method", "cam", "--layer", "s2_b0_relu"}},
            {run, new String[] {"--data", "test", "--method", "grad-cma"}},
            {run, new String[] {"--data", "test", "--images", a}},
            {run, new String[] {}},
            {run, new String[] {"--data", "validation"}},
            {run, new String[] {"--data", "test", "--faithfulness", "--deletion-baseline", "noise"}},
            {maxPoolGraph, new String[] {"--logits", "fc", "--input-shape", "16x16x3", "--images", a, "--method", "cam"}
            },
            {plainGraph, new String[] {"--input-shape", "16x16x3", "--images", a}},
            {plainGraph, new String[] {"--logits", "fc", "--images", a}},
            {plainGraph, new String[] {"--logits", "conv", "--input-shape", "16x16x3", "--images", a}},
        };
        String[] expected = {
            "error: --layer 'nope' is not a layer of the model; valid layers: stem_conv, stem_bn, s1_b0_conv1, ",
            "error: --target 3: out of range [0, 2] (the model has 3 classes); valid: pred, true, a class index in "
                    + "[0, 2] or a class name [circle, square, triangle]",
            "error: --target hexagon: not pred, true, a class index in [0, 2] or a class name [circle, square, "
                    + "triangle]",
            "error: --target true: image files have no labels; use pred, a class index in [0, 2] or a class name "
                    + "[circle, square, triangle]",
            "error: --images: 1 of 1 images cannot be read (PNG and JPEG are supported):",
            "error: --images: 1 problem(s):",
            "error: --masks " + masks + ": 1 problem(s):",
            "error: --method cam: needs a global average pooling + linear head that classifies layer 's2_b0_relu', "
                    + "and its global average pooling + linear head classifies 's3_b0_relu', not 's2_b0_relu'; "
                    + "gradient and score methods (grad-cam, grad-cam-plus-plus, layer-cam, score-cam) work at any "
                    + "layer",
            "error: --method: no cam-method plugin 'grad-cma'; did you mean 'grad-cam'? available: [caam, cam, "
                    + "grad-cam, grad-cam-plus-plus, layer-cam, score-cam]",
            "error: give the images to explain with --images FILE|DIR... or --data SPLIT, not both",
            "error: give the images to explain with --images FILE|DIR... or --data SPLIT, not neither",
            "error: --data validation: shapes(classes=3,size=16,seed=0) has no validation split",
            "error: --deletion-baseline: must be one of [constant, blur], found 'noise'",
            "error: --method cam: needs a global average pooling + linear head that classifies layer 'conv', and no "
                    + "global average pooling feeds its logits layer 'fc'",
            "error: MODEL " + plainGraph + ": a plain DL4J graph; name its logits layer with --logits",
            "error: MODEL " + plainGraph + ": a model file does not record the size of its input images; give it "
                    + "with --input-shape HxWxC",
            "error: --logits: 'conv' is not a dense or output layer with weights W and bias b",
        };
        assertEquals(cases.length, expected.length);
        for (int i = 0; i < cases.length; i++) {
            err.getBuffer().setLength(0);
            List<String> args = new ArrayList<>(List.of((String[]) cases[i][1]));
            args.addAll(List.of("--out", o));
            String label = cases[i][0] + " " + String.join(" ", args);
            assertEquals(2, explain((Path) cases[i][0], args.toArray(String[]::new)), label + ": " + err);
            String first = err.toString().lines().findFirst().orElse("");
            assertTrue(first.startsWith(expected[i]), label + "\nexpected " + expected[i] + "\nfound    " + first);
            assertFalse(err.toString().contains("\tat "), "stack trace printed: " + err);
            assertFalse(Files.exists(out), label + ": output directory left behind");
            assertEquals(List.of("broken", "masks"), listing(tmp), label + ": something else left behind");
        }
    }

    /**
     * Empty values and options that would be silently ignored in the combination given: exit 2, one line naming the
     * option, no stack trace, nothing written.
     */
    @Test
    void optionsThatWouldBeIgnoredOrAreEmptyExitWithTwo(@TempDir Path tmp) throws Exception {
        Path o = tmp.resolve("out");
        String a = images.resolve("a.png").toString();
        Object[][] cases = { // {the option the message names, MODEL, the arguments...}
            // the faithfulness settings without --faithfulness
            {"--steps", run, "--data", "test", "--steps", "0"},
            {"--deletion-baseline", run, "--data", "test", "--deletion-baseline", "noise"},
            {"--insertion-baseline", run, "--data", "test", "--insertion-baseline", ""},
            // the overlays' enlargement without overlays
            {"--scale", run, "--data", "test", "--scale", "4", "--no-overlays"},
            // model-file options for a run, and the run option for a model file
            {"--logits", run, "--data", "test", "--logits", "fc"},
            {"--features", run, "--data", "test", "--features", "x"},
            {"--format", run, "--data", "test", "--format", "NCHW"},
            {"--input-shape", run, "--data", "test", "--input-shape", "16x16x3"},
            {"--model", plainGraph, "--logits", "fc", "--input-shape", "16x16x3", "--images", a, "--model", "best"},
            {"--format", plainGraph, "--logits", "fc", "--input-shape", "16x16x3", "--images", a, "--format", "x"},
            // a plain graph's options for a camloss model file, which knows its head, map and layout
            {"--logits", run.resolve("model.zip"), "--images", a, "--logits", "fc"},
            {"--features", run.resolve("model.zip"), "--images", a, "--features", "x"},
            {"--format", run.resolve("model.zip"), "--images", a, "--format", "NCHW"},
            // dataset options for image files, image options for a dataset split
            {"--dataset", run, "--images", a, "--dataset", "shapes"},
            {"--data-param", run, "--images", a, "--data-param", "classes=3"},
            {"--data-param", run, "--data", "test", "--data-param", "classes=3"},
            {"--mean", run, "--data", "test", "--mean", "0.5", "--std", "0.2"},
            {"--std", run, "--data", "test", "--std", "0.2"},
            // empty values
            {"--data", run, "--data", ""},
            {"--dataset", run, "--data", "test", "--dataset", ""},
            {"--layer", run, "--data", "test", "--layer", ""},
            {"--method", run, "--data", "test", "--method", ""},
            {"--method", run, "--data", "test", "--method", "cam,,grad-cam"},
            {"--images", run, "--images", ""},
            {"--masks", run, "--images", a, "--masks", ""},
            {"--out", run, "--data", "test", "--out", ""},
            {"MODEL", Path.of(""), "--data", "test"},
        };
        List<String> failures = new ArrayList<>();
        for (Object[] k : cases) {
            List<String> args = new ArrayList<>();
            for (int i = 2; i < k.length; i++) {
                args.add((String) k[i]);
            }
            if (!args.contains("--out")) {
                args.addAll(List.of("--out", o.toString()));
            }
            err.getBuffer().setLength(0);
            int code = explain((Path) k[1], args.toArray(String[]::new));
            String problem = MainTest.problem(code, err.toString(), (String) k[0]);
            if (Files.exists(o)) {
                problem = "output directory written";
                MainTest.deleteTree(o);
            }
            if (problem != null) {
                failures.add(k[1] + " " + String.join(" ", args) + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(List.of(), listing(tmp), "nothing left behind");
    }

    /**
     * eval's faithfulness options without --faithfulness (they were silently ignored, the run evaluated) and empty
     * method ids: exit 2, one line naming the option, no eval.json.
     */
    @Test
    void evalsFaithfulnessOptionsWithoutFaithfulnessExitWithTwo() throws Exception {
        Path evalJson = run.resolve("eval.json");
        assertFalse(Files.exists(evalJson), "the shared run has no eval.json between tests");
        String[][] cases = { // {the option the message names, the arguments after RUN_DIR...}
            {"--limit", "--limit", "-1"},
            {"--steps", "--steps", "0"},
            {"--deletion-baseline", "--deletion-baseline", "noise"},
            {"--insertion-baseline", "--insertion-baseline", ""},
            {"--method", "--faithfulness", "--method", ""},
            {"--method", "--faithfulness", "--method", "cam,,caam"},
        };
        List<String> failures = new ArrayList<>();
        for (String[] k : cases) {
            List<String> args = new ArrayList<>(List.of("eval", run.toString(), "--no-progress"));
            args.addAll(List.of(k).subList(1, k.length));
            err.getBuffer().setLength(0);
            int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute(args.toArray(String[]::new));
            String problem = MainTest.problem(code, err.toString(), k[0]);
            if (Files.deleteIfExists(evalJson) && problem == null) {
                problem = "eval.json written";
            }
            if (problem != null) {
                failures.add(String.join(" ", args) + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    @SuppressWarnings("unchecked")
    void evalFaithfulnessAddsExplainsSummaryToEvalJson(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("e");
        assertEquals(
                0,
                explain(
                        run,
                        "--data",
                        "test",
                        "--limit",
                        "6",
                        "--method",
                        "cam,caam,grad-cam",
                        "--faithfulness",
                        "--steps",
                        "5",
                        "--deletion-baseline",
                        "blur",
                        "--insertion-baseline",
                        "constant",
                        "--out",
                        dir.toString()),
                err.toString());
        Map<String, Object> summary = (Map<String, Object>) json(dir).get("summary");
        assertFalse(Files.exists(run.resolve("eval.json")), "train --no-report writes no eval.json");
        try {
            List<String> args = List.of(
                    "eval",
                    run.toString(),
                    "--faithfulness",
                    "--method",
                    "cam,caam,grad-cam",
                    "--limit",
                    "6",
                    "--steps",
                    "5",
                    "--deletion-baseline",
                    "blur",
                    "--insertion-baseline",
                    "constant",
                    "--no-progress");
            out.getBuffer().setLength(0);
            assertEquals(
                    0,
                    Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                            .execute(args.toArray(String[]::new)),
                    err.toString());
            String text = out.toString();
            assertTrue(
                    text.contains("faithfulness (6 test images, predicted class, layer s3_b0_relu, 5 steps, "
                            + "deletion to blur, insertion from constant):"),
                    text);
            assertTrue(
                    text.lines()
                            .anyMatch(l ->
                                    l.matches("  grad-cam +0\\.\\d{4} +0\\.\\d{4} +\\d+\\.\\d\\d% +\\d+\\.\\d\\d%")),
                    text);
            Map<String, Object> eval = Json.read(run.resolve("eval.json"));
            assertTrue(eval.containsKey("accuracy"), eval.keySet().toString());
            Map<String, Object> f = (Map<String, Object>) eval.get("faithfulness");
            assertEquals(6, f.get("images"));
            assertEquals("pred", f.get("target"));
            assertEquals(5, f.get("steps"));
            assertEquals("blur", f.get("deletion_baseline"));
            Map<String, Object> methods = (Map<String, Object>) f.get("methods");
            assertEquals(List.of("cam", "caam", "grad-cam"), List.copyOf(methods.keySet()));
            for (String id : methods.keySet()) {
                Map<String, Object> got = (Map<String, Object>) methods.get(id);
                Map<String, Object> want = (Map<String, Object>) summary.get(id);
                for (String key : List.of("deletion_auc", "insertion_auc", "average_drop", "increase_in_confidence")) {
                    assertEquals(
                            ((Number) want.get(key)).doubleValue(),
                            ((Number) got.get(key)).doubleValue(),
                            1e-12,
                            id + " " + key + ": eval measures what explain measures");
                }
            }

            // a bad method is refused before anything is evaluated: eval.json stays as it was
            String measured = Files.readString(run.resolve("eval.json"));
            err.getBuffer().setLength(0);
            assertEquals(
                    2,
                    Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                            .execute(
                                    "eval",
                                    run.toString(),
                                    "--faithfulness",
                                    "--method",
                                    "cam,score",
                                    "--no-progress"));
            assertTrue(
                    err.toString()
                            .startsWith(
                                    "error: --method: no cam-method plugin 'score'; did you mean " + "'score-cam'?"),
                    err.toString());
            assertEquals(measured, Files.readString(run.resolve("eval.json")));
            err.getBuffer().setLength(0);
            assertEquals(
                    2,
                    Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                            .execute("eval", run.toString(), "--method", "cam"));
            assertEquals(
                    "error: --method: only with --faithfulness (it sets the faithfulness measurement, "
                            + "which runs only then); add --faithfulness or drop --method",
                    err.toString().strip());
        } finally {
            Files.deleteIfExists(run.resolve("eval.json"));
        }
    }

    @Test
    void anExistingOutputDirectoryIsRefused(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("taken");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("keep.txt"), "mine");
        assertEquals(2, explain(run, "--data", "test", "--limit", "1", "--out", dir.toString()));
        assertTrue(
                err.toString().startsWith("error: --out " + dir + ": already exists; camloss never overwrites"),
                err.toString());
        assertEquals(List.of("keep.txt"), listing(dir));
    }

    @Test
    void theDefaultOutputIsInsideTheRun() throws Exception {
        List<String> before = listing(run);
        assertEquals(0, explain(run, "--data", "test", "--limit", "2", "--no-overlays"), err.toString());
        List<String> after = new ArrayList<>(listing(run));
        after.removeAll(before);
        assertEquals(1, after.size(), after.toString());
        assertTrue(after.get(0).startsWith("explain-"), after.toString());
        Path dir = run.resolve(after.get(0));
        assertEquals(List.of("explain.json", "grid.png", "maps.npz"), listing(dir));
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
        assertArrayEquals(before.toArray(), listing(run).toArray());
    }
}
