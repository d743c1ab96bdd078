package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.api.cam.CamMaps;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.distill.GraphTeacherNet;
import org.camloss.runtime.distill.Teacher;
import org.camloss.runtime.train.Batches;
import org.camloss.runtime.wiring.ExperimentParts;
import org.camloss.runtime.wiring.Wiring;
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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/** A bring-your-own DL4J graph (not written by camloss) as a teacher, described by {@code teacher_graph}. */
class GraphTeacherTest {
    static Path graphFile;
    static Camloss camloss;

    /** NCHW 16x16x3 -> conv1 (8 ch) -> conv2 (16 ch, stride 2) -> global average -> softmax output of 4 classes. */
    @BeforeAll
    static void writeGraph(@TempDir Path dir) throws Exception {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(4)
                .updater(new Sgd(0.1))
                .graphBuilder()
                .addInputs("img")
                .setInputTypes(InputType.convolutional(16, 16, 3, CNN2DFormat.NCHW))
                .addLayer(
                        "conv1",
                        new ConvolutionLayer.Builder(3, 3)
                                .nOut(8)
                                .convolutionMode(ConvolutionMode.Same)
                                .activation(Activation.RELU)
                                .build(),
                        "img")
                .addLayer(
                        "conv2",
                        new ConvolutionLayer.Builder(new int[] {3, 3}, new int[] {2, 2})
                                .nOut(16)
                                .convolutionMode(ConvolutionMode.Same)
                                .activation(Activation.RELU)
                                .build(),
                        "conv1")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv2")
                .addLayer(
                        "fc",
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nOut(4)
                                .activation(Activation.SOFTMAX)
                                .build(),
                        "gap")
                .setOutputs("fc")
                .build());
        g.init();
        graphFile = dir.resolve("my-graph.zip");
        ModelSerializer.writeModel(g, graphFile.toFile(), false);
        camloss = Camloss.builder().runsRoot(dir.resolve("runs")).build();
    }

    private static Map<String, Object> student(Map<String, Object> teacherGraph, List<Map<String, Object>> distillers) {
        Map<String, Object> m = new LinkedHashMap<>(CamlossTest.TINY);
        m.put("name", "byo-student");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("teacher", graphFile.toString());
        d.put("teacher_graph", teacherGraph);
        d.put("distillers", distillers);
        m.put("distill", d);
        return m;
    }

    private static final Map<String, Object> FULL =
            Map.of("logits", "fc", "features", "conv2", "stages", "conv1,conv2", "format", "NCHW");
    private static final List<Map<String, Object>> ALL =
            List.of(Map.of("id", "caam-cam"), Map.of("id", "kd"), Map.of("id", "at"));

    @Test
    void logitsCamAndStagesComeFromTheNamedVerticesAndTheGraphStaysFrozen() {
        ExperimentConfig cfg = camloss.config(student(FULL, ALL), List.of("train.epochs=1"));
        ExperimentParts c = camloss.instantiate(cfg);
        Teacher teacher = c.teacher();
        assertTrue(teacher.net() instanceof GraphTeacherNet);
        assertEquals(2, teacher.net().info().stages().size());
        Batches b = new Batches(
                c.dataset().test(),
                c.dataset().info().shape(),
                c.dataset().info().numClasses(),
                8);
        int[] idx = b.indices(b.inOrder(), 0);
        INDArray x = b.images(idx);
        CamModel.Forward f = teacher.net().forward(x, true);
        // softmax of the recomputed logits is the graph's own output (the output layer's softmax)
        INDArray probs =
                teacher.net().graph().outputSingle(x.permute(0, 3, 1, 2).dup());
        assertTrue(Transforms.softmax(f.logits(), true).equalsWithEps(probs, 1e-5), f.logits() + " vs " + probs);
        // the CAM explains the logits: GAP of the class map + bias = logit of that class
        INDArray w = teacher.net().classifierWeight();
        INDArray cam = CamMaps.cam(f.features(), w, b.targets(idx));
        INDArray bias = teacher.net().graph().getLayer("fc").getParam("b");
        for (int i = 0; i < idx.length; i++) {
            int k = b.targets(idx).getRow(i).argMax().getInt(0);
            assertEquals(f.logits().getDouble(i, k), cam.slice(i).meanNumber().doubleValue() + bias.getDouble(k), 1e-4);
        }
        assertEquals(
                List.of(8L, 16L, 16L),
                List.of(
                        f.stages().get(0).size(1),
                        f.stages().get(0).size(2),
                        f.stages().get(0).size(3)));

        INDArray before = teacher.net().graph().params().dup();
        var wired = Wiring.training(cfg, c, java.time.Duration.ZERO);
        var summary = wired.trainer(List.of(), org.camloss.runtime.train.RunStore.NONE)
                .run();
        assertArrayEquals(before.toFloatVector(), teacher.net().graph().params().toFloatVector());
        for (String term : new String[] {"train_caam_cam", "train_kd", "train_at"}) {
            assertTrue(summary.last().containsKey(term), summary.last().toString());
        }
    }

    private static String problem(Map<String, Object> graph, List<Map<String, Object>> distillers) {
        ExperimentConfig cfg = camloss.config(student(graph, distillers), List.of());
        return assertThrows(UserException.class, () -> camloss.instantiate(cfg)).getMessage();
    }

    private static Map<String, Object> with(String key, String value) {
        Map<String, Object> m = new LinkedHashMap<>(FULL);
        m.put(key, value);
        return m;
    }

    @Test
    void unknownVertexNamesTheKeyAndListsTheGraphsVertices() {
        String m = problem(with("features", "conv9"), ALL);
        assertTrue(
                m.startsWith("distill.teacher_graph.features: no vertex 'conv9' (the graph's vertices: "
                        + "[conv1, conv2, fc, gap, img])"),
                m);
    }

    @Test
    void aLogitsLayerThatIsNotDenseIsRefused() {
        String m = problem(with("logits", "conv2"), ALL);
        assertTrue(m.startsWith("distill.teacher_graph.logits: 'conv2' is not a dense or output layer"), m);
    }

    @Test
    void featuresWhoseAverageDoesNotFeedTheLogitsAreRefused() {
        String m = problem(with("features", "conv1"), ALL);
        assertTrue(m.startsWith("distill.teacher_graph.features: 'conv1' has 8 channels but 'fc' takes 16 inputs"), m);
    }

    @Test
    void aCamDistillerWithoutFeaturesOrAStageDistillerWithoutStagesIsRefused() {
        Map<String, Object> noFeatures = new LinkedHashMap<>(FULL);
        noFeatures.remove("features");
        assertTrue(problem(noFeatures, List.of(Map.of("id", "caam-cam")))
                .startsWith("distill.teacher_graph.features: missing; a distiller of the teacher's CAM"));
        Map<String, Object> noStages = new LinkedHashMap<>(FULL);
        noStages.remove("stages");
        assertTrue(problem(noStages, List.of(Map.of("id", "at"))).startsWith("distill.teacher_graph.stages: missing"));
        // kd alone needs neither
        ExperimentConfig cfg = camloss.config(
                student(Map.of("logits", "fc", "format", "NCHW"), List.of(Map.of("id", "kd"))), List.of());
        assertEquals(4, camloss.instantiate(cfg).teacher().net().classes());
    }

    @Test
    void anotherClassCountOrLayoutIsRefused() {
        ExperimentConfig cfg = camloss.config(student(FULL, ALL), List.of("data.params.classes=3"));
        String m = assertThrows(UserException.class, () -> camloss.instantiate(cfg))
                .getMessage();
        assertTrue(
                m.startsWith(
                        "distill.teacher_graph.logits: 'fc' has 4 outputs but the student's data has 3 " + "classes"),
                m);
        m = problem(with("format", "NHWC"), ALL);
        assertTrue(m.startsWith("distill.teacher: " + graphFile + " cannot take 16x16x3 images in NHWC layout"), m);
        assertTrue(m.endsWith("check distill.teacher_graph.format") && !m.contains("\n"), m);
    }

    @Test
    void teacherGraphSectionIsValidatedWithTheConfig() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> camloss.config(student(Map.of("logit", "fc", "format", "NHCW"), ALL), List.of()));
        assertTrue(
                e.getMessage().contains("distill.teacher_graph.logit: unknown key; did you mean 'logits'?"),
                e.getMessage());
        assertTrue(e.getMessage().contains("distill.teacher_graph.format"), e.getMessage());
        e = assertThrows(
                ConfigException.class, () -> camloss.config(student(Map.of("format", "NCHW"), ALL), List.of()));
        assertTrue(e.getMessage().contains("distill.teacher_graph.logits: missing"), e.getMessage());
    }
}
