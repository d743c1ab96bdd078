package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.camloss.api.layers.StoredModels;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.train.Batches;
import org.camloss.runtime.wiring.ExperimentParts;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Models users already have keep working: run directories written before the module restructuring (see
 * {@code src/test/resources/fixtures/stored/README.md}) load, evaluate to the numbers that code computed, and
 * continue training step for step as it did.
 */
class StoredModelCompatibilityTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/stored");
    static int threads;

    @BeforeAll
    static void oneThread() {
        threads = Nd4j.getEnvironment().maxThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        Nd4j.getEnvironment().setMaxThreads(threads);
    }

    static Stream<Arguments> runs() {
        return Stream.of(
                // run, accuracy, ce, cam_loss, caam_pointing, cam_iou; scores of three further steps; params sum after
                Arguments.of(
                        "resnet8a-camloss",
                        0.25,
                        1.3975026930282883,
                        0.31854790449142456,
                        0.34375,
                        0.10784061483528974,
                        new double[] {1.724150533748592, 1.676013456132479, 1.6212860651974113},
                        48.325355529785156),
                Arguments.of(
                        "resnet8b-at-student",
                        0.375,
                        1.9243573380667056,
                        0.3597608804702759,
                        0.1875,
                        0.08969522544390075,
                        new double[] {1.4199267641965019, 1.4115815765070454, 1.4054825950494552},
                        106.67060852050781));
    }

    @ParameterizedTest
    @MethodSource("runs")
    void evaluatesAsWhenItWasWritten(
            String name,
            double accuracy,
            double ce,
            double camLoss,
            double caamPointing,
            double camIou,
            double[] steps,
            double paramsSum,
            @TempDir Path tmp)
            throws IOException {
        Path run = copy(FIXTURES.resolve(name), tmp.resolve(name));
        Map<String, Object> m = Camloss.builder().build().evaluate(run).result().toJson();
        assertEquals(accuracy, ((Number) m.get("accuracy")).doubleValue(), 1e-12);
        assertEquals(ce, ((Number) m.get("ce")).doubleValue(), 1e-5);
        assertEquals(camLoss, ((Number) m.get("cam_loss")).doubleValue(), 1e-5);
        assertEquals(caamPointing, ((Number) m.get("caam_pointing")).doubleValue(), 1e-12);
        assertEquals(camIou, ((Number) m.get("cam_iou")).doubleValue(), 1e-5);
    }

    @ParameterizedTest
    @MethodSource("runs")
    void continuesTrainingAsItDid(
            String name,
            double accuracy,
            double ce,
            double camLoss,
            double caamPointing,
            double camIou,
            double[] steps,
            double paramsSum)
            throws IOException {
        Camloss camloss = Camloss.builder().build();
        Path dir = FIXTURES.resolve(name);
        ExperimentConfig c = camloss.loadConfig(dir.resolve("run.json"), List.of());
        ExperimentConfig config = new ExperimentConfig(
                c.name(),
                c.seed(),
                c.data(),
                c.backbone(),
                c.loss(),
                c.regularizers(),
                c.optimizer(),
                c.schedule(),
                c.train(),
                Optional.empty());
        ExperimentParts parts = camloss.instantiate(config);
        ComputationGraph g = StoredModels.readGraph(dir.resolve("model.zip"), true);
        CamModel model = new CamModel(
                g, "s3_b0_relu", parts.backbone().info(), parts.dataset().info().shape());
        model.setObjective(Objective.of(parts.loss()));
        g.setLearningRate(0.05);
        Batches b = new Batches(parts.dataset().train(), parts.dataset().info().shape(), 4, 32);
        int[] idx = b.indices(b.inOrder(), 0);
        INDArray x = b.images(idx);
        INDArray y = b.targets(idx);
        for (double expected : steps) {
            g.fit(new INDArray[] {x}, new INDArray[] {y});
            assertEquals(expected, g.score(), 1e-5, name);
        }
        assertEquals(paramsSum, g.params().sumNumber().doubleValue(), 1e-3, name);
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
