package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.camloss.api.EpochWeight;
import org.camloss.api.LossTerm;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.CamTerm;
import org.camloss.api.cam.Normalization;
import org.camloss.api.cam.Routing;
import org.camloss.engine.head.Objective;
import org.camloss.testkit.HeadHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parity with every case of every {@code *.json} of the reference vectors ({@link #vectorDirs()}: the vendored copy
 * in {@code src/test/resources/vectors} and {@code ../shared/vectors} when present): maps, the CAM term and its
 * gradients for all three routings (float64 to 1e-9, float32 to 1e-6), and the GAP + linear head totals.
 */
class VectorParityTest {
    private static DataType savedType;
    private static DataType savedFloat;

    @BeforeAll
    static void doubles() {
        savedType = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(savedType, savedFloat);
    }

    /** The vendored copy, tested always: {@code src/test/resources/vectors}. */
    static final Path VENDORED = Path.of("src/test/resources/vectors");

    /**
     * The folders of reference vectors: the vendored copy, {@code ../shared/vectors} beside the checkout when it
     * exists (where new reference files arrive), and {@code -Dcamloss.vectors=DIR} when given.
     */
    static List<Path> vectorDirs() {
        List<Path> dirs = new java.util.ArrayList<>(List.of(VENDORED));
        String prop = System.getProperty("camloss.vectors");
        if (prop != null) {
            dirs.add(Path.of(prop));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path sibling = p.resolveSibling("shared").resolve("vectors");
            if (p.resolve("pom.xml").toFile().exists()
                    && p.resolve("README.md").toFile().exists()
                    && Files.isDirectory(sibling)) {
                dirs.add(sibling);
                break;
            }
        }
        return dirs;
    }

    /**
     * Every {@code *.json} of every {@link #vectorDirs() folder}; a file whose content is already listed (the
     * vendored copy of a shared file) is read once.
     */
    static List<Path> vectorFiles() throws IOException {
        java.util.Map<String, Path> byContent = new java.util.LinkedHashMap<>();
        for (Path dir : vectorDirs()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f :
                        s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    byContent.putIfAbsent(Files.readString(f), f);
                }
            }
        }
        List<Path> files = List.copyOf(byContent.values());
        assertFalse(files.isEmpty(), "no *.json in " + vectorDirs());
        return files;
    }

    private static INDArray arr(JsonNode node, DataType dt, long... shape) {
        double[] v = new double[node.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = node.get(i).asDouble();
        }
        return Nd4j.create(v, shape, 'c').castTo(dt);
    }

    private static long[] shape(JsonNode node) {
        long[] s = new long[node.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = node.get(i).asLong();
        }
        return s;
    }

    private static void close(INDArray expected, INDArray actual, double tol, String what) {
        assertEquals(expected.length(), actual.length(), what + ": length");
        double[] e = expected.castTo(DataType.DOUBLE).reshape(expected.length()).toDoubleVector();
        double[] a = actual.castTo(DataType.DOUBLE).reshape(actual.length()).toDoubleVector();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol, what + "[" + i + "]");
        }
    }

    /** Objective of the CAM term alone. */
    private static Objective camOnly(Routing routing) {
        return Objective.of(ctx -> List.of(new LossTerm(
                "cam",
                CamTerm.value(ctx, routing, Normalization.MIN_MAX, CamMaps.DEFAULT_EPS),
                EpochWeight.constant(1))));
    }

    @TestFactory
    Stream<DynamicTest> everyCaseOfEveryFile() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (Path file : vectorFiles()) {
            JsonNode root = json.readTree(file.toFile());
            JsonNode cases = root.get("cases");
            assertTrue(cases != null && cases.size() > 0, file + " has no cases");
            for (JsonNode c : cases) {
                String name = file.getFileName() + ":" + c.path("name").asText("case");
                tests.add(DynamicTest.dynamicTest(name + " maps", () -> checkMaps(c)));
                for (Routing r : Routing.values()) {
                    tests.add(DynamicTest.dynamicTest(name + " " + r.id() + " float64", () -> checkRouting(c, r)));
                }
                tests.add(DynamicTest.dynamicTest(name + " float32", () -> checkFloat32(c)));
                tests.add(DynamicTest.dynamicTest(name + " head", () -> checkHead(c)));
            }
        }
        return tests.stream();
    }

    private record Case(INDArray features, INDArray weight, INDArray bias, INDArray targets) {}

    private static Case read(JsonNode c, DataType dt) {
        long[] fs = shape(c.get("features_shape"));
        long[] ws = shape(c.get("weight_shape"));
        INDArray f = arr(c.get("features"), dt, fs);
        INDArray w = arr(c.get("weight"), dt, ws);
        INDArray b = arr(c.get("bias"), dt, ws[0]);
        INDArray t = Nd4j.zeros(dt, fs[0], ws[0]);
        JsonNode labels = c.get("labels");
        for (int i = 0; i < labels.size(); i++) {
            t.putScalar(i, labels.get(i).asInt(), 1.0);
        }
        return new Case(f, w, b, t);
    }

    private void checkMaps(JsonNode c) {
        Case k = read(c, DataType.DOUBLE);
        long[] fs = shape(c.get("features_shape"));
        long[] ms = {fs[0], fs[2], fs[3]};
        INDArray caam = CamMaps.caam(k.features());
        INDArray cam = CamMaps.cam(k.features(), k.weight(), k.targets());
        close(arr(c.get("caam"), DataType.DOUBLE, ms), caam, 1e-9, "caam");
        close(arr(c.get("cam"), DataType.DOUBLE, ms), cam, 1e-9, "cam");
        close(
                arr(c.get("caam_normalized"), DataType.DOUBLE, ms),
                CamMaps.normalize(caam, Normalization.MIN_MAX, CamMaps.DEFAULT_EPS),
                1e-9,
                "caam_normalized");
        close(
                arr(c.get("cam_normalized"), DataType.DOUBLE, ms),
                CamMaps.normalize(cam, Normalization.MIN_MAX, CamMaps.DEFAULT_EPS),
                1e-9,
                "cam_normalized");
    }

    private void checkRouting(JsonNode c, Routing r) {
        Case k = read(c, DataType.DOUBLE);
        String key = r.id().replace('-', '_');
        HeadHarness.Result res =
                new HeadHarness(DataType.DOUBLE).run(camOnly(r), k.features(), k.weight(), k.bias(), k.targets());
        assertEquals(c.get("cam_loss_" + key).asDouble(), res.terms().get("cam"), 1e-9, "cam_loss_" + key);
        close(
                arr(c.get("grad_features_" + key), DataType.DOUBLE, k.features().shape()),
                res.gradFeatures(),
                1e-9,
                "grad_features_" + key);
        close(
                arr(c.get("grad_weight_" + key), DataType.DOUBLE, k.weight().shape()),
                res.gradWeight(),
                1e-9,
                "grad_weight_" + key);
    }

    private void checkFloat32(JsonNode c) {
        Case k = read(c, DataType.FLOAT);
        HeadHarness.Result res = new HeadHarness(DataType.FLOAT)
                .run(camOnly(Routing.WEIGHT_DETACHED), k.features(), k.weight(), k.bias(), k.targets());
        double expected = c.get("cam_loss_weight_detached_float32").asDouble();
        assertEquals(expected, res.terms().get("cam"), 1e-6 * Math.abs(expected), "cam_loss float32 (relative)");
        close(
                arr(
                        c.get("grad_features_weight_detached"),
                        DataType.DOUBLE,
                        k.features().shape()),
                res.gradFeatures(),
                1e-6,
                "grad_features float32");
    }

    private void checkHead(JsonNode c) {
        Case k = read(c, DataType.DOUBLE);
        JsonNode head = c.get("head");
        double alpha = head.get("alpha").asDouble();
        Objective objective = Objective.of(new CamLossFactory()
                .create(org.camloss.api.Params.resolve(new CamLossFactory().params(), Map.of("alpha", alpha))));
        HeadHarness.Result res =
                new HeadHarness(DataType.DOUBLE).run(objective, k.features(), k.weight(), k.bias(), k.targets());
        close(arr(head.get("logits"), DataType.DOUBLE, k.targets().shape()), res.logits(), 1e-9, "head.logits");
        assertEquals(head.get("ce").asDouble(), res.terms().get("ce"), 1e-9, "head.ce");
        assertEquals(head.get("total").asDouble(), res.total(), 1e-9, "head.total");
        close(
                arr(head.get("grad_features"), DataType.DOUBLE, k.features().shape()),
                res.gradFeatures(),
                1e-9,
                "head.grad_features");
        close(
                arr(head.get("grad_weight"), DataType.DOUBLE, k.weight().shape()),
                res.gradWeight(),
                1e-9,
                "head.grad_weight");
        close(arr(head.get("grad_bias"), DataType.DOUBLE, k.bias().shape()), res.gradBias(), 1e-9, "head.grad_bias");
    }
}
