package org.camloss.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.camloss.api.InputShape;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.engine.optim.ClassicalMomentum;
import org.camloss.engine.optim.CosineSchedule;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.wiring.ExperimentParts;
import org.camloss.runtime.wiring.Wiring;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import scala.reflect.ClassTag$;

/**
 * Every camloss configuration class a graph can carry (layers, vertices, the head, updaters, schedules) through the two
 * serialisers Spark may use to ship it to executors: Java serialisation (Spark's default) and Kryo with ND4J's
 * registrator ({@code spark.serializer=KryoSerializer}, {@code spark.kryo.registrator=Nd4jRegistrator}).
 *
 * <p>The configurations come from real graphs: every registered backbone at small settings, each network-level
 * regularizer, both optimizers and every schedule, and a transfer-style graph (frozen layers, learning-rate
 * multipliers). Which classes must be covered is not a list in this test: it scans camloss's jars for every concrete
 * subclass of DL4J's {@link Layer}, {@link GraphVertex}, {@link IUpdater} and {@link ISchedule}, so a new one that no
 * graph here contains fails {@link #everyCamlossConfigurationClassIsCovered}.
 */
class SerialisationRoundTripTest {
    private static final Camloss CAMLOSS = Camloss.builder().build();
    private static final int SIZE = 32;

    /** Small settings of every registered backbone (as their contract tests use); a new backbone must be added. */
    private static final Map<String, Map<String, Object>> BACKBONES = Map.ofEntries(
            Map.entry("resnet-cifar", Map.of("depth", 8, "width", 0.5)),
            Map.entry("resnet", Map.of("depth", 18, "stem", "cifar", "width", 0.125)),
            Map.entry("wide-resnet", Map.of("depth", 10, "widen", 1, "dropout", 0.1)),
            Map.entry("vgg", Map.of("depth", 11, "width", 0.125, "last_pool", false)),
            Map.entry("alexnet", Map.of("width", 0.25, "last_pool", false)),
            Map.entry("densenet-bc", Map.of("depth", 22, "growth_rate", 4)),
            Map.entry("mobilenet-v2", Map.of("width", 0.25, "stem", "cifar")),
            Map.entry("resnext", Map.of("depth", 11, "cardinality", 4, "base_width", 2, "width", 0.0625)),
            Map.entry("pyramidnet", Map.of("depth", 14, "alpha", 12.0)),
            Map.entry("dl4j-graph", Map.of("zoo", "simple-cnn", "vertex", "layer18")));

    /** Camloss configuration classes only the explainer builds (inference tails, never trained or shipped). */
    private static final Set<String> EXPLAIN_ONLY =
            Set.of("org.camloss.engine.explain.CopyingActivation", "org.camloss.engine.explain.InferenceBatchNorm");

    private static final Pattern CAMLOSS_CLASS = Pattern.compile("\"(org\\.camloss\\.[A-Za-z0-9_.$]+)\"");

    /** Name of each graph below, and its configuration with the driver's parameters. */
    private static final Map<String, ComputationGraph> GRAPHS = new TreeMap<>();

    private static SerializerInstance kryo;

    @BeforeAll
    static void buildGraphs() {
        kryo = new KryoSerializer(new SparkConf()
                        .set("spark.serializer", KryoSerializer.class.getName())
                        .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator"))
                .newInstance();
        for (String id : CAMLOSS.registry().ids(PluginKind.BACKBONE)) {
            Map<String, Object> params = BACKBONES.get(id);
            if (params == null) {
                continue; // everyBackboneIsBuilt names it
            }
            GRAPHS.put(id, graph(Map.of("id", id, "params", params), List.of(), "sgd", "step"));
        }
        for (String reg : List.of("dropout", "stochastic-depth", "shakedrop")) {
            GRAPHS.put(
                    "resnet-cifar + " + reg,
                    graph(
                            Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.5)),
                            List.of(Map.of("id", reg)),
                            "adam",
                            "cosine"));
        }
        GRAPHS.put(
                "wide-resnet + dropout in blocks",
                graph(
                        Map.of("id", "wide-resnet", "params", Map.of("depth", 10, "widen", 1)),
                        List.of(Map.of("id", "dropout", "params", Map.of("block_p", 0.2))),
                        "sgd",
                        "constant"));
        GRAPHS.put(
                "resnet-cifar preact, shortcut A",
                graph(
                        Map.of(
                                "id",
                                "resnet-cifar",
                                "params",
                                Map.of("depth", 8, "width", 0.5, "shortcut", "A", "preact", true)),
                        List.of(),
                        "sgd",
                        "cosine"));
        // as transfer learning assembles: frozen first layers, scaled learning rates (ScaledSchedule)
        ModelAssembler assembler = new ModelAssembler()
                .seed(1)
                .dataType(DataType.FLOAT)
                .format(CNN2DFormat.NHWC)
                .updater(new ClassicalMomentum(0.1, new CosineSchedule(0.1, 0.0, 100, 10), 0.9, true))
                .learningRateMultipliers(0.1, 1.0);
        var factory =
                CAMLOSS.registry().find(PluginKind.BACKBONE, "resnet-cifar").orElseThrow();
        var backbone = factory.create(org.camloss.api.Params.check(factory.params(), Map.of("depth", 8, "width", 0.5))
                .params());
        assembler.freezeUpTo(backbone.info().stages().get(0).vertex(), false);
        CamModel transfer = assembler.assemble(
                backbone,
                new InputShape(3, SIZE, SIZE),
                4,
                Objective.of(ctx ->
                        List.of(org.camloss.api.LossTerm.of("ce", org.camloss.api.loss.CrossEntropy.value(ctx), 1.0))));
        GRAPHS.put("resnet-cifar, frozen stem, lr multipliers", transfer.graph());
    }

    private static ComputationGraph graph(
            Map<String, Object> backbone, List<Map<String, Object>> regularizers, String optimizer, String schedule) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("name", "round-trip");
        raw.put("seed", 7);
        raw.put("data", Map.of("id", "shapes", "params", Map.of("train", 8, "test", 8, "size", SIZE)));
        raw.put("backbone", backbone);
        raw.put("loss", Map.of("id", "cam-loss"));
        raw.put("regularizers", regularizers);
        raw.put("optimizer", Map.of("id", optimizer));
        raw.put("schedule", Map.of("id", schedule));
        raw.put("train", Map.of("epochs", 2, "batch_size", 4, "progress", false));
        ExperimentConfig config = CAMLOSS.config(raw, List.of());
        ExperimentParts parts = ExperimentParts.make(CAMLOSS.registry(), config);
        return Wiring.training(config, parts, Duration.ofDays(1)).model().graph();
    }

    @SuppressWarnings("unchecked")
    static <T> T java(T value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (T) in.readObject();
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new AssertionError("Java serialisation of " + value.getClass().getName() + " failed: " + e, e);
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T kryo(T value) {
        scala.reflect.ClassTag<Object> tag = ClassTag$.MODULE$.apply(Object.class);
        ByteBuffer bytes = kryo.serialize(value, tag);
        return (T) kryo.deserialize(bytes, tag);
    }

    /** The JSON DL4J writes for a layer, vertex, updater or schedule (every setting it stores in a model file). */
    private static String json(Object conf) {
        try {
            return NeuralNetConfiguration.mapper().writeValueAsString(conf);
        } catch (IOException e) {
            throw new AssertionError("no JSON for " + conf.getClass().getName() + ": " + e, e);
        }
    }

    /** Every layer and vertex configuration of {@code conf}, by vertex name. */
    private static Map<String, Object> parts(ComputationGraphConfiguration conf) {
        Map<String, Object> out = new TreeMap<>();
        conf.getVertices()
                .forEach((name, v) -> out.put(
                        name, v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : v));
        return out;
    }

    @Test
    void everyBackboneIsBuilt() {
        assertEquals(
                new TreeSet<>(CAMLOSS.registry().ids(PluginKind.BACKBONE)),
                new TreeSet<>(BACKBONES.keySet()),
                "registered backbones vs the ones this test builds: give a new backbone small settings here");
    }

    @Test
    void everyGraphConfigurationSurvivesBothSerialisers() {
        List<String> broken = new ArrayList<>();
        for (var e : GRAPHS.entrySet()) {
            ComputationGraphConfiguration conf = e.getValue().getConfiguration();
            String expected = conf.toJson();
            for (var serialiser : Map.<String, UnaryOperator<ComputationGraphConfiguration>>of(
                            "java", SerialisationRoundTripTest::java, "kryo", SerialisationRoundTripTest::kryo)
                    .entrySet()) {
                ComputationGraphConfiguration back = serialiser.getValue().apply(conf);
                if (!expected.equals(back.toJson())) {
                    broken.add(e.getKey() + " through " + serialiser.getKey() + ": the JSON differs");
                    continue;
                }
                // what a worker does with it: rebuild, take the driver's parameters, compute the driver's outputs
                ComputationGraph worker = new ComputationGraph(back);
                worker.init(e.getValue().params().dup(), false);
                INDArray images = Nd4j.rand(DataType.FLOAT, 2, SIZE, SIZE, 3);
                INDArray want = e.getValue().outputSingle(false, images);
                INDArray got = worker.outputSingle(false, images);
                if (!want.equalsWithEps(got, 1e-6)) {
                    broken.add(e.getKey() + " through " + serialiser.getKey() + ": other outputs");
                }
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }

    @Test
    void everyLayerAndVertexSurvivesBothSerialisersAlone() {
        List<String> broken = new ArrayList<>();
        int camloss = 0;
        for (var g : GRAPHS.entrySet()) {
            for (var part : parts(g.getValue().getConfiguration()).entrySet()) {
                Object conf = part.getValue();
                camloss += conf.getClass().getName().startsWith("org.camloss.") ? 1 : 0;
                String expected = json(conf);
                for (String how : List.of("java", "kryo")) {
                    Object back = how.equals("java") ? java(conf) : kryo(conf);
                    if (back.getClass() != conf.getClass() || !expected.equals(json(back))) {
                        broken.add(g.getKey() + " / " + part.getKey() + " ("
                                + conf.getClass().getName() + ") through " + how);
                    }
                }
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
        assertTrue(camloss > 50, "only " + camloss + " camloss layers and vertices in the graphs");
    }

    @Test
    void explainOnlyConfigurationsSurviveBothSerialisers() throws Exception {
        for (String name : EXPLAIN_ONLY) {
            Object conf = Class.forName(name).getConstructor().newInstance();
            assertEquals(json(conf), json(java(conf)), name + " through java");
            assertEquals(json(conf), json(kryo(conf)), name + " through kryo");
        }
    }

    @Test
    void everyCamlossConfigurationClassIsCovered() throws Exception {
        Set<String> inGraphs = new TreeSet<>();
        for (ComputationGraph g : GRAPHS.values()) {
            Matcher m = CAMLOSS_CLASS.matcher(g.getConfiguration().toJson());
            while (m.find()) {
                inGraphs.add(m.group(1));
            }
        }
        Set<String> all = configurationClasses();
        assertTrue(
                all.containsAll(Set.of(
                        "org.camloss.engine.head.CamHead",
                        "org.camloss.api.layers.FastConvolution",
                        "org.camloss.api.layers.AddReluVertex",
                        "org.camloss.engine.optim.ClassicalMomentum")),
                "the class scan missed known classes: " + all);
        Set<String> missing = new TreeSet<>(all);
        missing.removeAll(inGraphs);
        missing.removeAll(EXPLAIN_ONLY);
        assertEquals(
                Set.of(),
                missing,
                "camloss configuration classes no graph of this test contains (add a graph that uses them, or, if "
                        + "only the explainer builds them, add them to EXPLAIN_ONLY); the graphs contain " + inGraphs);
    }

    /** Concrete camloss subclasses of DL4J's configuration types, from every camloss jar or class folder. */
    static Set<String> configurationClasses() throws IOException {
        ClassLoader loader = SerialisationRoundTripTest.class.getClassLoader();
        Set<String> names = new TreeSet<>();
        for (URL url : Collections.list(loader.getResources("org/camloss"))) {
            if (url.getProtocol().equals("jar")) {
                JarURLConnection c = (JarURLConnection) url.openConnection();
                c.setUseCaches(false);
                try (JarFile jar = c.getJarFile()) {
                    jar.stream()
                            .map(e -> e.getName())
                            .filter(n -> n.startsWith("org/camloss/") && n.endsWith(".class"))
                            .forEach(n ->
                                    names.add(n.substring(0, n.length() - 6).replace('/', '.')));
                }
            } else if (url.getProtocol().equals("file")) {
                Path root;
                try {
                    root = Path.of(url.toURI()).getParent().getParent();
                } catch (java.net.URISyntaxException e) {
                    throw new IOException(e);
                }
                try (Stream<Path> files = Files.walk(root.resolve("org/camloss"))) {
                    files.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                        String rel = root.relativize(p).toString();
                        names.add(rel.substring(0, rel.length() - 6).replace('/', '.'));
                    });
                }
            }
        }
        Set<String> out = new TreeSet<>();
        for (String n : names) {
            Class<?> c;
            try {
                c = Class.forName(n, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue; // a class needing what this class path lacks (e.g. a test's optional dependency)
            }
            boolean config = Layer.class.isAssignableFrom(c)
                    || GraphVertex.class.isAssignableFrom(c)
                    || IUpdater.class.isAssignableFrom(c)
                    || ISchedule.class.isAssignableFrom(c);
            if (config && !Modifier.isAbstract(c.getModifiers()) && !c.isAnonymousClass() && !c.isLocalClass()) {
                out.add(n);
            }
        }
        if (out.isEmpty()) {
            fail("no camloss configuration class found on " + loader);
        }
        return out;
    }
}
