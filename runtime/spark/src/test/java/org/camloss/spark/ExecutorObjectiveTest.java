package org.camloss.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.camloss.engine.head.CamHeadLayer;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.optim.CoupledWeightDecay;
import org.camloss.engine.optim.HostGraphUpdater;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.wiring.ExperimentParts;
import org.camloss.runtime.wiring.Wiring;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * What a parameter-averaging worker does with a camloss model, without Spark: rebuild the graph from a copy of the
 * driver's configuration, then let the hook give it an objective; and the Java serialisation round trip of everything
 * the engine ships to executors.
 */
class ExecutorObjectiveTest {
    private static final Camloss CAMLOSS = Camloss.builder().build();

    private static final Map<String, Object> TINY = Map.of(
            "name", "tiny-worker",
            "seed", 5,
            "data", Map.of("id", "shapes", "params", Map.of("train", 32, "test", 16, "size", 16)),
            "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.5)),
            "loss", Map.of("id", "cam-loss", "params", Map.of("alpha", 0.5)),
            "regularizers", List.of(Map.of("id", "dropout", "params", Map.of("p", 0.1))),
            "optimizer", Map.of("id", "sgd", "params", Map.of("lr", 0.05, "weight_decay", 1.0e-4)),
            "train", Map.of("epochs", 1, "batch_size", 16, "progress", false));

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    /** The minibatch {@code data} makes from {@code chunk} on an executor. */
    private static DataSet minibatch(ExecutorData data, ExecutorData.Chunk chunk) {
        return data.call(List.of(chunk).iterator()).next();
    }

    /** The single-process trainer's batch (Trainer.step): {@code plain} after the regularizers with its stream. */
    private static org.camloss.api.data.Batch trainerBatch(
            DataSet plain, ExperimentConfig config, ExperimentParts parts, int epoch, ExecutorData.Chunk chunk) {
        org.camloss.api.data.Batch batch = new org.camloss.api.data.Batch(
                plain.getFeatures().dup(), plain.getLabels().dup());
        java.util.Random rng = new java.util.Random(org.camloss.runtime.train.Seeds.of(
                config.seed(), epoch, chunk.batch(), org.camloss.runtime.train.Seeds.REGULARIZERS));
        for (org.camloss.api.Regularizer r : parts.regularizers()) {
            batch = r.apply(batch, rng);
        }
        return batch;
    }

    @Test
    void aRebuiltWorkerGraphStartsAtTheDriversIterationAndEpochWhenTheHookWasSerialised() throws Exception {
        ExperimentConfig config = CAMLOSS.config(TINY, List.of());
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), config);
        CamModel driver = Wiring.training(config, parts, Duration.ofDays(1)).model();
        driver.graph().getConfiguration().setIterationCount(37);
        driver.graph().getConfiguration().setEpochCount(3);

        // the trap: DL4J's worker rebuilds its graph from clone(), which drops both counts
        ComputationGraph worker =
                new ComputationGraph(driver.graph().getConfiguration().clone());
        worker.init(driver.graph().params().dup(), false);
        assertEquals(0, worker.getConfiguration().getIterationCount());
        assertEquals(0, worker.getConfiguration().getEpochCount());

        ExecutorObjective onDriver =
                new ExecutorObjective(Specs.of(config.loss()), Specs.of(config.regularizers()), 1.0e-4);
        onDriver.follow(driver.graph().getConfiguration());
        ExecutorObjective shipped = roundTrip(onDriver);
        // a later round's copy carries the count at its own serialisation
        driver.graph().getConfiguration().setIterationCount(47);
        ExecutorObjective later = roundTrip(onDriver);
        assertEquals(37, shipped.iteration());
        assertEquals(47, later.iteration());

        shipped.preUpdate((org.nd4j.linalg.dataset.api.MultiDataSet) null, worker);
        assertEquals(37, worker.getConfiguration().getIterationCount());
        assertEquals(3, worker.getConfiguration().getEpochCount());
        // and the updater reads that position: one step advances it to 38
        ExecutorData data = new ExecutorData(Specs.of(config.data()), config.seed(), 0);
        worker.fit(data.call(List.of(new ExecutorData.Chunk(0, new int[] {0, 1, 2, 3}))
                        .iterator())
                .next());
        assertEquals(38, worker.getConfiguration().getIterationCount());
    }

    @Test
    void aRebuiltWorkerGraphUpdatesThroughHostLoopsOnTheBroadcastState() throws Exception {
        ExperimentConfig config = CAMLOSS.config(TINY, List.of());
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), config);
        CamModel driver = Wiring.training(config, parts, Duration.ofDays(1)).model();
        assertTrue(driver.graph().getUpdater() instanceof HostGraphUpdater h && h.takesOver(), "the driver's updater");
        ExecutorData data = new ExecutorData(Specs.of(config.data()), config.seed(), 0);
        DataSet batch = data.call(List.of(new ExecutorData.Chunk(0, new int[] {0, 1, 2, 3}))
                        .iterator())
                .next();
        driver.graph().fit(batch); // a non-zero state to broadcast

        // as DL4J's ParameterAveragingTrainingWorker.getInitialModelGraph rebuilds a worker's graph
        ComputationGraph[] workers = new ComputationGraph[2];
        INDArray[] states = new INDArray[2];
        for (int k = 0; k < 2; k++) {
            workers[k] = new ComputationGraph(driver.graph().getConfiguration().clone());
            workers[k].init(driver.graph().params().dup(), false);
            states[k] = driver.graph().getUpdater().getStateViewArray().dup();
            workers[k].setUpdater(new ComputationGraphUpdater(workers[k], states[k]));
        }
        new ExecutorObjective(Specs.of(config.loss()), Specs.of(config.regularizers()), 1.0e-4)
                .preUpdate((org.nd4j.linalg.dataset.api.MultiDataSet) null, workers[0]);
        System.setProperty(HostGraphUpdater.PROPERTY, "dl4j");
        try {
            new ExecutorObjective(Specs.of(config.loss()), Specs.of(config.regularizers()), 1.0e-4)
                    .preUpdate((org.nd4j.linalg.dataset.api.MultiDataSet) null, workers[1]);
        } finally {
            System.clearProperty(HostGraphUpdater.PROPERTY);
        }
        assertTrue(workers[0].getUpdater() instanceof HostGraphUpdater h && h.takesOver(), "the worker's updater");
        assertFalse(workers[1].getUpdater() instanceof HostGraphUpdater, "the switch leaves DL4J's updater");
        // the state the averaging reads back is the one DL4J's worker set from the broadcast
        assertSame(states[0], workers[0].getUpdater().getStateViewArray());
        workers[0].fit(batch);
        workers[1].fit(batch);
        assertArrayEquals(
                workers[1].params().toFloatVector(), workers[0].params().toFloatVector(), "parameters");
        assertArrayEquals(
                workers[1].getUpdater().getStateViewArray().toFloatVector(),
                workers[0].getUpdater().getStateViewArray().toFloatVector(),
                "updater state");
    }

    /**
     * A minibatch made on an executor is the single-process trainer's batch: the same images, then the regularizers
     * drawing from the trainer's stream for the batch's seed, epoch and number, then the model's labels (with every
     * feature-map cell's target for cutmix's regional target CAM).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"mixup", "cutmix", "cutmix-regional", "cutout", "random-erasing", "label-smoothing"})
    void aMinibatchMadeOnAnExecutorIsTheTrainersBatchAfterItsRegularizers(String regularizer) throws Exception {
        Map<String, Object> node =
                switch (regularizer) {
                    case "cutmix" -> Map.of("id", "cutmix", "params", Map.of("probability", 1.0));
                    case "cutmix-regional" -> Map.of(
                            "id", "cutmix", "params", Map.of("probability", 1.0, "cam_target", "regional"));
                    case "random-erasing" -> Map.of("id", regularizer, "params", Map.of("probability", 1.0));
                    default -> Map.of("id", regularizer);
                };
        Map<String, Object> raw = new java.util.LinkedHashMap<>(TINY);
        raw.put("regularizers", List.of(node));
        ExperimentConfig config = CAMLOSS.config(raw, List.of());
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), config);
        CamModel driver = Wiring.training(config, parts, Duration.ofDays(1)).model();
        int[] grid = driver.objective().pixelGrid().orElse(null);
        assertEquals(regularizer.equals("cutmix-regional"), grid != null, "per-pixel targets");

        int epoch = 1;
        ExecutorData.Chunk chunk = new ExecutorData.Chunk(2, new int[] {3, 1, 4, 1, 5, 9, 2, 6});
        DataSet plain = minibatch(new ExecutorData(Specs.of(config.data()), config.seed(), epoch), chunk);
        DataSet shipped = minibatch(
                roundTrip(new ExecutorData(
                        Specs.of(config.data()), Specs.of(config.regularizers()), grid, null, config.seed(), epoch)),
                chunk);

        // the trainer's step (Trainer.step): the regularizers with the batch's stream, then CamModel.labels
        org.camloss.api.data.Batch expected = trainerBatch(plain, config, parts, epoch, chunk);
        assertEquals(expected.features(), shipped.getFeatures(), regularizer);
        assertEquals(driver.labels(expected), shipped.getLabels(), regularizer);
        assertTrue(
                !plain.getFeatures().equals(shipped.getFeatures())
                        || !plain.getLabels().equals(shipped.getLabels()),
                regularizer + " changed nothing: the comparison would not show a missing regularizer");
        if (grid != null) {
            long k = expected.targets().size(1);
            assertEquals(k + (long) grid[0] * grid[1] * k, shipped.getLabels().size(1));
        }
    }

    /**
     * With distillation, an executor's minibatch carries the teacher's columns after the targets exactly as the
     * trainer's batch does (the teacher loaded again from its file on the executor), after the regularizers; and the
     * worker's objective reads its signals from them.
     */
    @Test
    void aMinibatchMadeOnAnExecutorCarriesTheTeachersColumns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        ExperimentConfig plainConfig = CAMLOSS.config(TINY, List.of());
        java.nio.file.Path file = tmp.resolve("teacher.zip");
        org.camloss.runtime.run.ModelFiles.save(
                Wiring.training(plainConfig, ExperimentParts.make(CAMLOSS.registry(), plainConfig), Duration.ofDays(1))
                        .model()
                        .graph(),
                file);
        Map<String, Object> raw = new java.util.LinkedHashMap<>(TINY);
        raw.put("regularizers", List.of(Map.of("id", "mixup")));
        raw.put(
                "distill",
                Map.of(
                        "teacher",
                        file.toString(),
                        "distillers",
                        List.of(Map.of("id", "kd"), Map.of("id", "caam-cam"))));
        ExperimentConfig config = CAMLOSS.config(raw, List.of());
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), config);
        CamModel driver = Wiring.training(config, parts, Duration.ofDays(1)).model();
        ExecutorTeacher teacher = roundTrip(ExecutorTeacher.of(config.distill().orElseThrow(), parts.teacher()));
        assertEquals(parts.teacher().columns(), teacher.columns());

        int epoch = 0;
        ExecutorData.Chunk chunk = new ExecutorData.Chunk(1, new int[] {7, 0, 2, 5, 11, 3});
        DataSet plain = minibatch(new ExecutorData(Specs.of(config.data()), config.seed(), epoch), chunk);
        DataSet shipped = minibatch(
                roundTrip(new ExecutorData(
                        Specs.of(config.data()), Specs.of(config.regularizers()), null, teacher, config.seed(), epoch)),
                chunk);

        org.camloss.api.data.Batch expected = trainerBatch(plain, config, parts, epoch, chunk);
        INDArray labels = driver.labels(new org.camloss.api.data.Batch(
                expected.features(), parts.teacher().labels(expected.features(), expected.targets())));
        assertEquals(expected.features(), shipped.getFeatures());
        assertEquals(labels.shape()[1], shipped.getLabels().shape()[1]);
        assertTrue(labels.equalsWithEps(shipped.getLabels(), 1e-6), labels + "\n" + shipped.getLabels());
        assertTrue(labels.shape()[1] > 10, "no teacher columns: " + labels.shapeInfoToString());

        // the worker's objective has the distillers and reads the teacher's columns: one step trains, with their terms
        ComputationGraph worker =
                new ComputationGraph(driver.graph().getConfiguration().clone());
        worker.init(driver.graph().params().dup(), false);
        ExecutorObjective hook = roundTrip(new ExecutorObjective(
                Specs.of(config.loss()),
                Specs.of(config.regularizers()),
                1.0e-4,
                null,
                Specs.of(config.distill().orElseThrow().distillers()),
                teacher.columns()));
        hook.preUpdate(shipped, worker);
        worker.fit(shipped);
        CamHeadLayer head = (CamHeadLayer) worker.getLayer(CamModel.HEAD);
        assertTrue(Double.isFinite(worker.score()));
        assertTrue(
                head.lastTerms().containsKey("kd") && head.lastTerms().containsKey("caam_cam"), head.lastTerms() + "");
    }

    @Test
    void aRebuiltWorkerGraphGetsItsOwnObjectiveAndWeightDecay() throws Exception {
        ExperimentConfig config = CAMLOSS.config(TINY, List.of());
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), config);
        CamModel driver = Wiring.training(config, parts, Duration.ofDays(1)).model();

        // as ParameterAveragingTrainingWorker.getInitialModelGraph: a clone of the configuration, the parameters
        ComputationGraph worker =
                new ComputationGraph(driver.graph().getConfiguration().clone());
        worker.init(driver.graph().params().dup(), false);
        CamHeadLayer head = (CamHeadLayer) worker.getLayer(CamModel.HEAD);
        // the trap: DL4J's Layer.clone is shallow, so the copy still points at the driver's objective
        assertSame(driver.objective(), head.head().objective());

        ExecutorObjective hook =
                roundTrip(new ExecutorObjective(Specs.of(config.loss()), Specs.of(config.regularizers()), 1.0e-4));
        hook.epoch(0);
        hook.preUpdate((org.nd4j.linalg.dataset.api.MultiDataSet) null, worker);

        assertTrue(head.head().hasObjective());
        assertNotSame(driver.objective(), head.head().objective());
        assertEquals(
                driver.objective().loss().getClass(),
                head.head().objective().loss().getClass());
        assertEquals(1, head.head().objective().regularizers().size());
        assertEquals(
                1,
                worker.getListeners().stream()
                        .filter(l -> l instanceof CoupledWeightDecay)
                        .count());

        // a second call on the same graph changes nothing; the graph trains
        Object objective = head.head().objective();
        hook.preUpdate((org.nd4j.linalg.dataset.api.MultiDataSet) null, worker);
        assertSame(objective, head.head().objective());
        ExecutorData data = roundTrip(new ExecutorData(Specs.of(config.data()), config.seed(), 0));
        Iterator<DataSet> batches = data.call(List.of(new ExecutorData.Chunk(0, new int[] {0, 1, 2, 3, 4, 5, 6, 7}))
                .iterator());
        DataSet batch = batches.next();
        assertEquals(
                List.of(8L, 16L, 16L, 3L),
                List.of(
                        batch.getFeatures().shape()[0],
                        batch.getFeatures().shape()[1],
                        batch.getFeatures().shape()[2],
                        batch.getFeatures().shape()[3]));
        assertEquals(8.0, batch.getLabels().sumNumber().doubleValue(), 0.0);
        worker.fit(batch);
        assertTrue(Double.isFinite(worker.score()));
        assertTrue(head.lastTerms().containsKey(org.camloss.api.cam.CamTerm.NAME), "terms: " + head.lastTerms());
    }

    /**
     * What a separate executor JVM receives: the graph configuration through Java serialisation (Spark's default
     * serialiser for broadcasts), with camloss's head, fast layers and the network-level regularizers' layers; the
     * rebuilt graph with the driver's parameters computes the driver's outputs.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"dropout", "stochastic-depth", "shakedrop"})
    void theGraphConfigurationSurvivesJavaSerialisation(String regularizer) throws Exception {
        java.util.Map<String, Object> raw = new java.util.LinkedHashMap<>(TINY);
        raw.put("regularizers", List.of(Map.of("id", regularizer)));
        ExperimentConfig config = CAMLOSS.config(raw, List.of());
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), config);
        CamModel driver = Wiring.training(config, parts, Duration.ofDays(1)).model();
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf =
                roundTrip(driver.graph().getConfiguration());
        assertEquals(driver.graph().getConfiguration().toJson(), conf.toJson());
        ComputationGraph worker = new ComputationGraph(conf);
        worker.init(driver.graph().params().dup(), false);
        CamHeadLayer head = (CamHeadLayer) worker.getLayer(CamModel.HEAD);
        // the objective is transient: a separate JVM's head has none until the hook gives it one
        assertTrue(!head.head().hasObjective());
        org.nd4j.linalg.api.ndarray.INDArray images =
                org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 16, 16, 3);
        assertEquals(driver.graph().outputSingle(false, images), worker.outputSingle(false, images));
    }
}
