package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.cli.bench.BenchBatch;
import org.camloss.cli.bench.BenchCase;
import org.camloss.cli.bench.Benchmark;
import org.camloss.runtime.registry.PluginRegistry;
import org.junit.jupiter.api.Test;

/** The bench command's pieces (the measurements themselves are not timed in tests). */
class BenchCommandTest {
    @Test
    void aCaseReportsEveryField() {
        Map<String, Object> row = new Benchmark(
                        PluginRegistry.discover(getClass().getClassLoader()), 1, 2)
                .run(new BenchCase("resnet-cifar", 8, 8, 8, 1, 4, "cam-loss"));
        for (String key : List.of(
                "backbone",
                "input",
                "batch",
                "loss",
                "backend",
                "train_images_per_sec",
                "infer_images_per_sec",
                "first_step_seconds",
                "peak_heap_mb",
                "peak_rss_mb")) {
            assertTrue(row.containsKey(key), "missing " + key);
        }
        assertEquals("8x8x1", row.get("input"));
        assertTrue(((Number) row.get("train_images_per_sec")).doubleValue() > 0);
        // the interleaved cross-entropy twin ran: a finite overhead (a step takes longer than -100 %)
        double overhead = ((Number) row.get("cam_overhead")).doubleValue();
        assertTrue(Double.isFinite(overhead) && overhead > -1, "cam_overhead " + overhead);
        assertEquals(row.get("cam_overhead"), row.get("overhead_vs_cross_entropy"));
    }

    @Test
    void backboneParamsReachTheBackbone() {
        Map<String, Object> row = new Benchmark(
                        PluginRegistry.discover(getClass().getClassLoader()), 0, 1)
                .run(new BenchCase(
                        "dl4j-graph",
                        0,
                        16,
                        16,
                        3,
                        2,
                        "cross-entropy",
                        Map.of("zoo", "simple-cnn", "vertex", "layer4")));
        assertTrue(((Number) row.get("train_images_per_sec")).doubleValue() > 0);
        UserException e = assertThrows(UserException.class, () -> new Benchmark(
                        PluginRegistry.discover(getClass().getClassLoader()), 0, 1)
                .run(new BenchCase("dl4j-graph", 0, 16, 16, 3, 2, "cross-entropy", Map.of("zooo", "x"))));
        assertTrue(e.getMessage().startsWith("--backbone dl4j-graph: zooo: unknown parameter"), e.getMessage());
    }

    @Test
    void overheadComparesMatchingCases() {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("cross-entropy", 100));
        rows.add(row("cam-loss", 80));
        BenchCommand.addOverheads(rows);
        assertEquals(0.25, (Double) rows.get(1).get("cam_overhead"), 1e-12);
        // an interleaved measurement in the row is kept
        rows.get(1).put("cam_overhead", 0.03);
        BenchCommand.addOverheads(rows);
        assertEquals(0.03, (Double) rows.get(1).get("cam_overhead"), 1e-12);
    }

    @Test
    void badInputSizeIsAUserError() {
        UserException e = assertThrows(UserException.class, () -> BenchCommand.parseInput("32x32"));
        assertEquals("--input: must be HxWxC, e.g. 32x32x3, found '32x32'", e.getMessage());
    }

    @Test
    void unknownBackboneIsAUserError() {
        UserException e = assertThrows(UserException.class, () -> new Benchmark(
                        PluginRegistry.discover(getClass().getClassLoader()), 0, 1)
                .run(new BenchCase("resnet-cifr", 0, 8, 8, 1, 2, "cross-entropy")));
        assertTrue(
                e.getMessage().startsWith("--backbone: no backbone plugin 'resnet-cifr'; did you mean 'resnet-cifar'?"),
                e.getMessage());
    }

    @Test
    void roundsSummariseAsMediansAndTheRatioAsTheMedianOfPerRoundRatios() {
        // three rounds: the ratio of medians would be 200/100 = 2.0, the median of per-round ratios is 1.5
        List<Map<String, Object>> rounds = new ArrayList<>();
        double[][] figures = {{100, 200}, {300, 100}, {200, 50}}; // camloss, PyTorch train images/s
        for (int i = 0; i < figures.length; i++) {
            Map<String, Object> r = row("cross-entropy", figures[i][0]);
            r.put("torch_train_images_per_sec", figures[i][1]);
            r.put("infer_images_per_sec", 10.0 * (i + 1));
            r.put("torch_infer_images_per_sec", 10.0);
            r.put("peak_rss_mb", 500.0 + i);
            r.put("round", i + 1);
            r.put("torch_layout", i == 1 ? "channels-last" : "nchw");
            r.put("torch_inference", "optimize-for-inference");
            r.put("torch_allocator", "tcmalloc");
            BenchCommand.addRatios(r);
            rounds.add(r);
        }
        assertEquals(0.5, (Double) rounds.get(0).get("train_ratio"), 1e-12);
        Map<String, Object> s = BenchCommand.summary(rounds);
        assertEquals(200.0, (Double) s.get("train_images_per_sec"), 1e-12);
        assertEquals(100.0, (Double) s.get("torch_train_images_per_sec"), 1e-12);
        assertEquals(3.0, (Double) s.get("train_ratio"), 1e-12); // ratios 0.5, 3.0, 4.0
        assertEquals(0.5, (Double) s.get("train_ratio_min"), 1e-12);
        assertEquals(4.0, (Double) s.get("train_ratio_max"), 1e-12);
        assertEquals(2.0, (Double) s.get("infer_ratio"), 1e-12);
        assertEquals(502.0, (Double) s.get("peak_rss_mb_max"), 1e-12);
        assertEquals(3, s.get("round_count"));
        assertEquals(rounds, s.get("rounds"));
        String table = BenchCommand.table(List.of(s));
        assertTrue(table.contains("3.00 [0.50-4.00]"), table);
        assertTrue(table.contains("3 round(s) per case"), table);
        // which of PyTorch's settings won, round by round, is carried and shown
        assertEquals("nchw x2, channels-last x1", s.get("torch_layout"));
        assertEquals("optimize-for-inference x3", s.get("torch_inference"));
        assertTrue(table.contains("training nchw x2, channels-last x1; inference optimize-for-inference x3"), table);
        String progress = BenchCommand.progress(
                new BenchCase("resnet-cifar", 8, 28, 28, 1, 128, "cross-entropy"), 2, rounds.get(1));
        assertTrue(
                progress.endsWith("(PyTorch's fastest: channels-last training, optimize-for-inference inference)"),
                progress);
    }

    @Test
    void noRatioWithoutPyTorch() {
        Map<String, Object> r = row("cross-entropy", 100);
        r.put("torch_note", "PyTorch unavailable");
        BenchCommand.addRatios(r);
        assertTrue(!r.containsKey("train_ratio") && !r.containsKey("infer_ratio"), r.toString());
        Map<String, Object> s = BenchCommand.summary(List.of(r));
        assertEquals("PyTorch unavailable", s.get("torch_note"));
        assertTrue(BenchCommand.table(List.of(s)).contains("note: PyTorch unavailable"));
    }

    @Test
    void theBatchIsTheDatasetsFirstImagesAsTrainingNormalisesThem() {
        PluginRegistry registry = PluginRegistry.discover(getClass().getClassLoader());
        BenchCase c = new BenchCase("resnet-cifar", 8, 16, 16, 3, 6, "cross-entropy");
        BenchBatch b = BenchBatch.of(registry, "auto", c);
        assertEquals("shapes train[0:6]", b.source());
        org.camloss.api.data.DataSplit train = registry.find(org.camloss.runtime.registry.PluginKind.DATASET, "shapes")
                .orElseThrow()
                .create(org.camloss.api.Params.resolve(
                        registry.find(org.camloss.runtime.registry.PluginKind.DATASET, "shapes")
                                .orElseThrow()
                                .params(),
                        Map.of("size", 16, "train", 6)))
                .train();
        float[] img = new float[16 * 16 * 3];
        train.image(5, img, 0);
        assertEquals(img[100], b.x().getFloat(5, 2, 1, 1), 0f); // index 100 = (h 2, w 1, c 1) in HWC order
        assertEquals(train.label(5), b.labels()[5]);
        assertEquals(1.0, b.oneHot().getDouble(5, train.label(5)), 0.0);
        assertEquals(train.label(5), b.labelVector().getInt(5));
        // a 1-channel input that is not Fashion-MNIST's: noise, said so
        BenchBatch noise = BenchBatch.of(registry, "auto", new BenchCase("resnet-cifar", 8, 16, 16, 1, 4, "cam-loss"));
        assertTrue(noise.source().startsWith("random"), noise.source());
        assertEquals(3, noise.labels()[3]);
    }

    @Test
    void batchSourcesThatDoNotFitAreUserErrors() {
        PluginRegistry registry = PluginRegistry.discover(getClass().getClassLoader());
        BenchCase rgb32 = new BenchCase("resnet-cifar", 20, 32, 32, 3, 4, "cross-entropy");
        UserException e = assertThrows(UserException.class, () -> BenchBatch.of(registry, "fashion-mnist", rgb32));
        assertEquals(
                "--data fashion-mnist: its images are 28x28x1, the case's input is 32x32x3; use --input 28x28x1, "
                        + "or --data shapes|random",
                e.getMessage());
        e = assertThrows(
                UserException.class,
                () -> BenchBatch.of(
                        registry, "shapes", new BenchCase("resnet-cifar", 8, 28, 28, 1, 4, "cross-entropy")));
        assertTrue(e.getMessage().startsWith("--data shapes: makes square RGB images"), e.getMessage());
        e = assertThrows(UserException.class, () -> BenchBatch.of(registry, "cifar", rgb32));
        assertEquals("--data: unknown source 'cifar'; valid: auto, fashion-mnist, shapes, random", e.getMessage());
    }

    @Test
    void badOptionsExitWithTwoBeforeAnyCaseRuns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        for (String[] args : List.of(
                new String[] {"bench", "--rounds", "0"},
                new String[] {"bench", "--data", "imagenet"},
                new String[] {"bench", "--backbone", "resnet-cifr", "--rounds", "1", "--no-torch"},
                new String[] {"bench", "--loss", "cam-los", "--rounds", "1", "--no-torch"},
                new String[] {"bench", "--json", tmp.resolve("missing/out.json").toString()},
                new String[] {"bench", "--json", tmp.toString()},
                new String[] {"bench", "--threads", "0"},
                new String[] {"bench", "--threads", "1,2000"},
                new String[] {"bench", "--torch-allocator", "jemalloc"},
                new String[] {"bench", "--steps", "0"},
                new String[] {"bench", "--infer-steps", "-1"},
                new String[] {"bench", "--warmup", "-1"},
                new String[] {"bench", "--batch", "0"},
                new String[] {"bench", "--batch", "100000"},
                new String[] {"bench", "--depth", "-3", "--backbone", "resnet-cifar", "--no-torch"},
                // the default cases fix their own depth and input: these options apply only with --backbone
                new String[] {"bench", "--depth", "56", "--no-torch"},
                new String[] {"bench", "--input", "64x64x3", "--no-torch"},
                new String[] {"bench", "--param", "width=2", "--no-torch"},
                // refused by the backbone's own rules, before a round forks a JVM (one message, not two)
                new String[] {"bench", "--backbone", "resnet-cifar", "--depth", "7", "--rounds", "1", "--no-torch"},
                new String[] {"bench", "--backbone", "resnet-cifar", "--param", "widht=2", "--rounds", "1"},
                // the twin's allocator without the twin
                new String[] {"bench", "--torch-allocator", "glibc", "--no-torch"})) {
            java.io.StringWriter err = new java.io.StringWriter();
            int code = Main.commandLine(
                            new java.io.PrintWriter(new java.io.StringWriter(), true),
                            new java.io.PrintWriter(err, true))
                    .execute(args);
            assertEquals(2, code, String.join(" ", args) + ": " + err);
            assertTrue(err.toString().contains(args[1]), err.toString());
            assertTrue(!err.toString().contains("\tat "), "no stack trace: " + err);
            assertEquals(1, err.toString().strip().lines().count(), "one message: " + err);
        }
    }

    @Test
    void tcmallocIsFoundInTheFirstLibraryDirectoryThatHasIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        java.nio.file.Path a = java.nio.file.Files.createDirectory(tmp.resolve("a"));
        java.nio.file.Path b = java.nio.file.Files.createDirectory(tmp.resolve("b"));
        assertTrue(BenchCommand.tcmalloc(List.of(a, b)).isEmpty());
        java.nio.file.Path lib = java.nio.file.Files.createFile(b.resolve("libtcmalloc_minimal.so.4"));
        assertEquals(java.util.Optional.of(lib), BenchCommand.tcmalloc(List.of(a, b)));
    }

    @Test
    void aThreadCountThatIsNotANumberExitsWithTwo() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.commandLine(
                        new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true))
                .execute("bench", "--threads", "two");
        assertEquals(2, code, err.toString());
        assertTrue(
                err.toString().startsWith("error: Invalid value for option '--threads' (N): 'two' is not an int"),
                err.toString());
        assertTrue(!err.toString().contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void aThreadSweepRunsEveryCaseAtEachCount(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        int before = org.camloss.engine.Backend.threads();
        java.nio.file.Path json = tmp.resolve("sweep.json");
        try {
            java.io.StringWriter out = new java.io.StringWriter();
            int code = Main.commandLine(
                            new java.io.PrintWriter(out, true),
                            new java.io.PrintWriter(new java.io.StringWriter(), true))
                    .execute(
                            "bench",
                            "--no-fork",
                            "--no-torch",
                            "--threads",
                            "1,2",
                            "--rounds",
                            "1",
                            "--steps",
                            "1",
                            "--warmup",
                            "0",
                            "--backbone",
                            "resnet-cifar",
                            "--depth",
                            "8",
                            "--input",
                            "8x8x1",
                            "--batch",
                            "2",
                            "--loss",
                            "cross-entropy",
                            "--json",
                            json.toString());
            assertEquals(0, code, out.toString());
            List<Map<String, Object>> rows = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readValue(json.toFile(), new com.fasterxml.jackson.core.type.TypeReference<>() {});
            assertEquals(2, rows.size(), rows.toString());
            assertEquals(1, ((Number) rows.get(0).get("threads")).intValue());
            assertEquals(2, ((Number) rows.get(1).get("threads")).intValue());
            assertTrue(out.toString().contains("1, 2 threads"), out.toString());
        } finally {
            org.camloss.engine.Backend.setThreads(before);
        }
    }

    private static Map<String, Object> row(String loss, double rate) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("backbone", "resnet-cifar-8");
        r.put("input", "28x28x1");
        r.put("batch", 128);
        r.put("loss", loss);
        r.put("train_images_per_sec", rate);
        return r;
    }
}
