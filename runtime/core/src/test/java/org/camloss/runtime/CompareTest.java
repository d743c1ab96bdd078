package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ExperimentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare}: variants × seeds, mean ± std, CSV and JSON. */
class CompareTest {
    @Test
    void comparesVariantsOverSeeds(@TempDir Path tmp) throws Exception {
        Camloss camloss = Camloss.builder().build();
        ExperimentConfig base = camloss.config(CamlossTest.TINY, List.of("train.epochs=1"));
        List<Comparison.Variant> variants = List.of(
                new Comparison.Variant("ce", List.of("loss.id=cross-entropy")),
                new Comparison.Variant("cam", List.of()));
        Comparison c = camloss.compare(base, variants, List.of(3L, 4L), tmp.resolve("cmp"));
        assertEquals(4, c.rows().size());
        assertTrue(Files.isDirectory(tmp.resolve("cmp/ce-seed3")));
        assertTrue(Files.isDirectory(tmp.resolve("cmp/cam-seed4")));
        double a = ((Number) c.rows().get(0).get("test_accuracy")).doubleValue();
        double b = ((Number) c.rows().get(1).get("test_accuracy")).doubleValue();
        double[] ms = c.meanStd("ce", "test_accuracy");
        assertEquals((a + b) / 2, ms[0], 1e-12);
        assertEquals(Math.abs(a - b) / Math.sqrt(2), ms[1], 1e-12);
        List<String> csv = Files.readAllLines(tmp.resolve("cmp/compare.csv"));
        assertEquals(5, csv.size());
        assertTrue(csv.get(0).startsWith("variant,seed,run_dir,"), csv.get(0));
        assertTrue(Files.readString(tmp.resolve("cmp/compare.json")).contains("\"summary\""));
        assertTrue(c.table().contains("test_accuracy"));
    }

    @Test
    void epochTo95IsTheFirstEpochWithin5PercentOfTheFinalAccuracy() {
        assertEquals(3, Comparison.epochTo95(List.of(0.2, 0.5, 0.8, 0.7, 0.82)));
        assertEquals(1, Comparison.epochTo95(List.of(0.9)));
        assertEquals(0, Comparison.epochTo95(List.of()));
    }

    @Test
    void comparesDistillerSetsWithAccuracyCurves(@TempDir Path tmp) throws Exception {
        org.camloss.runtime.registry.PluginRegistry registry = org.camloss.runtime.registry.PluginRegistry.builder()
                .addDiscovered(CompareTest.class.getClassLoader())
                .register(
                        org.camloss.runtime.registry.PluginKind.DISTILLER,
                        new org.camloss.runtime.distill.LogitMatchDistillerFactory())
                .build();
        Camloss camloss = Camloss.builder()
                .registry(registry)
                .runsRoot(tmp.resolve("runs"))
                .build();
        Path teacher = camloss.train(camloss.config(CamlossTest.TINY, List.of("train.epochs=1")), null)
                .runDir();
        ExperimentConfig base = camloss.config(CamlossTest.TINY, List.of("train.epochs=2"));
        Comparison c = camloss.compare(
                base,
                List.of(
                        new Comparison.Variant("none", List.of("distill=")),
                        new Comparison.Variant(
                                "logit-match",
                                List.of(
                                        "distill=",
                                        "distill.teacher=" + teacher,
                                        "distill.distillers.0.id=logit-match"))),
                List.of(1L),
                tmp.resolve("cmp"));
        assertEquals(2, c.rows().size());
        assertTrue(
                c.rows().get(1).containsKey("train_logit_mse"),
                c.rows().get(1).keySet().toString());
        assertEquals(2, c.meanCurve("none").size());
        assertTrue(c.rows().get(0).get(Comparison.EPOCH_TO_95) instanceof Integer);
    }

    @Test
    void badVariantFailsBeforeAnyTraining(@TempDir Path tmp) {
        Camloss camloss = Camloss.builder().build();
        ExperimentConfig base = camloss.config(CamlossTest.TINY, List.of());
        assertThrows(
                ConfigException.class,
                () -> camloss.compare(
                        base,
                        List.of(new Comparison.Variant("x", List.of("loss.params.alpha=-1"))),
                        List.of(1L),
                        tmp.resolve("c")));
        assertTrue(Files.notExists(tmp.resolve("c")));
    }
}
