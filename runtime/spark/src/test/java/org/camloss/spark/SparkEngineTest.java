package org.camloss.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.engine.EngineJob;
import org.camloss.runtime.engine.Engines;
import org.camloss.runtime.engine.EpochOutcome;
import org.camloss.runtime.engine.TrainingEngine;
import org.camloss.runtime.eval.EvalResult;
import org.camloss.runtime.eval.Evaluator;
import org.camloss.runtime.wiring.ExperimentParts;
import org.camloss.runtime.wiring.Wiring;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The spark engine in {@code local[2]}: a tiny shapes config trains by parameter averaging (the executors rebuild the
 * CAM-loss objective), the driver's model changes and evaluates with the ordinary evaluator; bad engine settings are
 * refused, every one in one message, before a Spark context exists.
 */
class SparkEngineTest {
    private static final Camloss CAMLOSS = Camloss.builder().build();
    private static final Engines ENGINES = Engines.discover(SparkEngineTest.class.getClassLoader());

    private static final Map<String, Object> TINY = Map.of(
            "name", "tiny-spark",
            "seed", 3,
            "data", Map.of("id", "shapes", "params", Map.of("train", 96, "test", 48, "size", 16)),
            "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.5)),
            "loss", Map.of("id", "cam-loss"),
            "train", Map.of("epochs", 2, "batch_size", 16, "progress", false));

    private static EngineJob job(String... sets) {
        return job(Map.of(), sets);
    }

    /** The job of {@link #TINY} with the top-level sections of {@code replace} put in, then {@code sets}. */
    private static EngineJob job(Map<String, Object> replace, String... sets) {
        Map<String, Object> raw = new java.util.LinkedHashMap<>(TINY);
        raw.putAll(replace);
        ExperimentConfig config = CAMLOSS.config(raw, List.of(sets));
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), config);
        CamModel model = Wiring.training(config, parts, Duration.ofDays(1)).model();
        return new EngineJob(config, model, parts.dataset(), java.util.Optional.ofNullable(parts.teacher()));
    }

    private static EvalResult evaluate(EngineJob job) {
        return new Evaluator(48)
                .evaluate(job.model(), job.data().train(), job.data().info());
    }

    @Test
    void isFoundByItsId() {
        assertEquals(List.of("spark"), ENGINES.ids());
    }

    @Test
    void trainsATinyConfigByParameterAveragingInLocal2() {
        EngineJob job = job();
        INDArray before = job.model().graph().params().dup();
        EvalResult start = evaluate(job);
        try (TrainingEngine engine = ENGINES.start(
                "spark",
                Map.of("master", "local[2]", "workers", 2, "averaging_frequency", 1, "batch_per_worker", 16),
                job)) {
            EpochOutcome first = engine.trainEpoch(0);
            // DL4J alone would count 3 iterations (the steps of one worker); the schedule reads 6 per epoch, as in
            // one process with train.batch_size 16
            assertEquals(6, job.model().graph().getConfiguration().getIterationCount());
            // each worker's updater steps at the schedule's position: rounds start where the driver's count is (0,
            // 1, 2: one step per round), not at 0 as DL4J's rebuilt worker graphs would
            SparkEngine spark = (SparkEngine) engine;
            assertEquals(List.of(0, 1, 2), spark.lastIterations());
            EpochOutcome second = engine.trainEpoch(1);
            assertEquals(12, job.model().graph().getConfiguration().getIterationCount());
            assertEquals(List.of(6, 7, 8), spark.lastIterations());
            assertEquals(2, job.model().graph().getConfiguration().getEpochCount());
            assertEquals(6, first.steps());
            assertEquals(96, second.examples());
            assertTrue(Double.isFinite(first.loss()) && Double.isFinite(second.loss()), first + " " + second);
            Map<String, Object> p = engine.provenance();
            assertEquals("local[2]", p.get("master"));
            assertEquals(2, p.get("workers"));
            assertEquals(6L, p.get("rounds"));
        }
        INDArray after = job.model().graph().params();
        assertNotEquals(before, after, "the driver's parameters did not change");
        EvalResult end = evaluate(job);
        System.out.printf(
                "spark local[2], 2 epochs: train CE %.4f -> %.4f, CAM-loss %.4f -> %.4f, accuracy %.3f -> %.3f%n",
                start.crossEntropy(),
                end.crossEntropy(),
                start.camLoss(),
                end.camLoss(),
                start.accuracy(),
                end.accuracy());
        assertTrue(end.crossEntropy() < start.crossEntropy(), start.crossEntropy() + " -> " + end.crossEntropy());
        EvalResult test = new Evaluator(48)
                .evaluate(job.model(), job.data().test(), job.data().info());
        assertEquals(48, test.count());
        assertTrue(Double.isFinite(test.camLoss()));
    }

    @Test
    void refusesBadSettingsAllAtOnceBeforeStarting() {
        EngineJob job = job();
        UserException e = assertThrows(
                UserException.class,
                () -> ENGINES.start("spark", Map.of("master", "locl[2]", "workers", 7, "batch_per_worker", 16), job));
        assertEquals(
                "engine.params.master: 'locl[2]' is no Spark master URL; valid forms: local, local[N], local[*], "
                        + "local[N,F], local-cluster[N,CORES,MB], spark://HOST:PORT[,HOST:PORT...], yarn, "
                        + "k8s://https://HOST:PORT\n"
                        + "engine.params.workers: 7 workers but the 96 training images make only 6 minibatches of 16 "
                        + "(batch_per_worker); use at most 6 workers or a smaller batch_per_worker",
                e.getMessage());
    }

    @Test
    void refusesAnUnknownEngineNamingTheAvailableOnes() {
        UserException e = assertThrows(UserException.class, () -> ENGINES.start("sprak", Map.of(), job()));
        assertEquals("engine.id: no engine 'sprak'. Available: [spark]", e.getMessage());
    }

    @Test
    void everyRegisteredRegularizerTrainsOnTheExecutors() {
        // every regularizer id the registry has (a later one is covered too), and cutmix with per-pixel targets, whose
        // labels carry every feature-map cell's target
        List<String> sets = new java.util.ArrayList<>();
        for (String id : CAMLOSS.registry().ids(org.camloss.runtime.registry.PluginKind.REGULARIZER)) {
            sets.add("regularizers.0.id=" + id);
        }
        sets.add("regularizers.0.id=cutmix;regularizers.0.params.cam_target=regional");
        for (String set : sets) {
            EngineJob job = job(set.split(";"));
            INDArray before = job.model().graph().params().dup();
            try (TrainingEngine engine = ENGINES.start(
                    "spark",
                    Map.of("master", "local[2]", "workers", 2, "averaging_frequency", 3, "batch_per_worker", 16),
                    job)) {
                EpochOutcome first = engine.trainEpoch(0);
                assertTrue(Double.isFinite(first.loss()), set + ": " + first);
                assertEquals(96, first.examples(), set);
            }
            assertNotEquals(before, job.model().graph().params(), set + ": the driver's parameters did not change");
        }
    }

    @Test
    void aMasterSparkCannotStartOnIsAUserError() {
        // Spark's own check: each local-cluster worker must hold an executor (spark.executor.memory, 1 GiB)
        UserException e = assertThrows(
                UserException.class,
                () -> ENGINES.start("spark", Map.of("master", "local-cluster[1,1,512]", "workers", 1), job()));
        assertEquals(
                "engine.params.master: Spark could not start on 'local-cluster[1,1,512]': Asked to launch cluster "
                        + "with 512 MiB/worker but requested 1024 MiB/executor",
                e.getMessage());
    }

    @Test
    void refusesAClassSubsetOfTheData() {
        EngineJob job = job("data.classes=[0, 2]");
        UserException e = assertThrows(UserException.class, () -> ENGINES.start("spark", Map.of(), job));
        assertEquals(
                "engine: data.classes / data.train_per_class cannot be partitioned yet: the executors make the "
                        + "dataset from the data node alone; remove them for the spark engine",
                e.getMessage());
    }

    @Test
    void refusesADatasetTheExecutorsWouldMakeDifferently() {
        EngineJob job = job(
                Map.of("data", Map.of("id", "drifting-shapes", "params", Map.of("train", 96, "test", 48, "size", 16))));
        UserException e = assertThrows(UserException.class, () -> ENGINES.start("spark", Map.of(), job));
        assertTrue(
                e.getMessage()
                        .matches("engine: data: the dataset plugin 'drifting-shapes' gives another training split "
                                + "each time it is made from the same data node \\(SHA-256 of labels and pixels "
                                + "[0-9a-f]{12} then [0-9a-f]{12}\\), so the executors, which make it again, cannot "
                                + "be sent index lists; use a dataset that is the same for the same node \\(a seed "
                                + "parameter, files\\) or no engine section"),
                e.getMessage());
    }

    @Test
    void aDeterministicDatasetHasOneDigestAndEveryPixelCounts() {
        EngineJob a = job();
        assertEquals(
                ExecutorData.trainDigest(a.data()),
                ExecutorData.trainDigest(job().data()),
                "two shapes datasets of one node");
        assertNotEquals(
                ExecutorData.trainDigest(a.data()),
                ExecutorData.trainDigest(job("data.params.seed=99").data()),
                "shapes of another seed");
    }

    @Test
    void distillsOnTheExecutors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        java.nio.file.Path teacher = tmp.resolve("teacher.zip");
        org.camloss.runtime.run.ModelFiles.save(job().model().graph(), teacher);
        EngineJob job = job(Map.of(
                "distill",
                Map.of(
                        "teacher",
                        teacher.toString(),
                        "distillers",
                        List.of(Map.of("id", "kd"), Map.of("id", "caam-cam")))));
        INDArray before = job.model().graph().params().dup();
        try (TrainingEngine engine = ENGINES.start(
                "spark",
                Map.of("master", "local[2]", "workers", 2, "averaging_frequency", 3, "batch_per_worker", 16),
                job)) {
            EpochOutcome first = engine.trainEpoch(0);
            assertTrue(Double.isFinite(first.loss()), first.toString());
            // the workers' heads computed the distillers' terms from the teacher's columns
            assertTrue(first.terms().containsKey("kd") && first.terms().containsKey("caam_cam"), first.terms() + "");
            assertTrue(first.terms().get("kd") >= 0 && first.terms().get("caam_cam") >= 0, first.terms() + "");
        }
        assertNotEquals(before, job.model().graph().params(), "the driver's parameters did not change");
    }

    @Test
    void aJvmWithTheFlagsPassesTheOpensCheck() {
        // the build runs tests with every flag (surefire's argLine); AppJarTest runs a JVM without them
        assertEquals(java.util.Optional.empty(), SparkEngineFactory.missingOpens(""));
        assertEquals(
                java.util.Optional.empty(),
                SparkEngineFactory.missingOpens("org.apache.spark.serializer.KryoSerializer"));
    }
}
