package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
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
