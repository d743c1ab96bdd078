package org.camloss.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.camloss.runtime.run.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar ({@code camloss-spark-VERSION-app.jar}) in a JVM of its own, on Spark's and Scala's jars from
 * the Maven repository in place of a Spark distribution's (spark-submit's class path): it trains a config in
 * {@code local[2]} to a complete run directory with the arguments of {@code camloss train}, and refuses a bad master
 * and a JVM without the flags Spark needs with exit 2 and one message, no stack trace.
 */
class AppJarIT {
    static final List<String> OPENS = List.of(
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED");

    private record Result(int code, String out, String err) {}

    private static Result run(Path dir, List<String> jvmFlags, String... args) throws Exception {
        return run(dir, Map.of(), jvmFlags, args);
    }

    private static Result run(Path dir, Map<String, String> env, List<String> jvmFlags, String... args)
            throws Exception {
        String jar = System.getProperty("camloss.appJar");
        assertTrue(jar != null && Files.exists(Path.of(jar)), "no application jar: " + jar);
        String spark = Files.readString(Path.of(System.getProperty("camloss.sparkClasspath")))
                .trim();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-Djavacpp.platform=linux-x86_64",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        String classPath = jar + java.io.File.pathSeparator + spark;
        for (String flag : jvmFlags) {
            cmd.add(flag.replace("@CLASSPATH@", classPath));
        }
        cmd.addAll(List.of("-cp", classPath, SparkTrain.class.getName()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the application jar ran more than 180 s: " + cmd);
        }
        return new Result(p.exitValue(), read(out), read(err));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static Path config(Path dir) throws IOException {
        Path c = dir.resolve("tiny.yaml");
        Files.writeString(
                c,
                String.join(
                        "\n",
                        "name: app-jar",
                        "seed: 3",
                        "data: { id: shapes, params: { train: 64, test: 32, size: 16 } }",
                        "backbone: { id: resnet-cifar, params: { depth: 8, width: 0.5 } }",
                        "loss: { id: cam-loss }",
                        "train: { epochs: 1, batch_size: 16, progress: false }",
                        ""));
        return c;
    }

    @Test
    @SuppressWarnings("unchecked")
    void trainsWithTheArgumentsOfCamlossTrain(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Result r = run(
                tmp,
                OPENS,
                config(tmp).toString(),
                "--out",
                run.toString(),
                "--set",
                "engine.params.master=local[2]",
                "--set",
                "engine.params.averaging_frequency=2",
                "--no-report");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("run directory: " + run), r.out());
        for (String f : List.of("run.json", "metrics.jsonl", "model.zip", "checkpoints/ckpt-e0001-b000000.zip")) {
            assertTrue(Files.exists(run.resolve(f)), f + " missing");
        }
        Map<String, Object> provenance =
                (Map<String, Object>) Json.read(run.resolve("run.json")).get("provenance");
        assertEquals("finished", provenance.get("status"));
        Map<String, Object> engine = (Map<String, Object>) provenance.get("engine");
        assertEquals("local[2]", engine.get("master"));
        // 64 images in minibatches of 16 / 2 workers = 8, two per worker between averagings: 2 rounds
        assertEquals(2, ((Number) engine.get("rounds")).intValue());
        assertEquals(0, ((Number) engine.get("executor_jvms")).intValue(), "local[2] runs its tasks in the driver");
    }

    /**
     * Two executor JVMs ({@code local-cluster[2,1,1024]}: a Spark master and two workers in the driver's JVM, each
     * worker starting an executor JVM), outside a Spark installation as Spark's own tests start it: the workers launch
     * executors with this JVM's java, the given class path and the engine's --add-opens flags.
     */
    @Test
    @SuppressWarnings("unchecked")
    void trainsWithTwoExecutorJvms(@TempDir Path tmp) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("spark-home"));
        Path run = tmp.resolve("run");
        List<String> flags = new ArrayList<>(OPENS);
        flags.add("-Dspark.test.home=" + home);
        flags.add("-Dspark.executor.extraClassPath=@CLASSPATH@");
        Result r = run(
                tmp,
                Map.of("SPARK_HOME", home.toString(), "SPARK_TESTING", "1", "SPARK_SCALA_VERSION", "2.12"),
                flags,
                config(tmp).toString(),
                "--out",
                run.toString(),
                "--set",
                "engine.params.master=local-cluster[2,1,1024]",
                "--set",
                "engine.params.averaging_frequency=1",
                "--no-report");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> provenance =
                (Map<String, Object>) Json.read(run.resolve("run.json")).get("provenance");
        assertEquals("finished", provenance.get("status"));
        Map<String, Object> engine = (Map<String, Object>) provenance.get("engine");
        assertEquals("local-cluster[2,1,1024]", engine.get("master"));
        assertEquals(2, ((Number) engine.get("executor_jvms")).intValue());
        // 8 minibatches of 8, one per worker between averagings: 4 rounds
        assertEquals(4, ((Number) engine.get("rounds")).intValue());
        assertTrue(Files.exists(run.resolve("model.zip")));
    }

    @Test
    void aBadMasterIsExit2WithOneMessage(@TempDir Path tmp) throws Exception {
        Result r = run(
                tmp,
                OPENS,
                config(tmp).toString(),
                "--out",
                tmp.resolve("run").toString(),
                "--set",
                "engine.params.master=spark//host:7077");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains("error: engine.params.master: 'spark//host:7077' is no Spark master URL; valid "
                                + "forms: local, local[N]"),
                r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace: " + r.err());
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    @Test
    void aJvmWithoutTheFlagsIsExit2NamingThem(@TempDir Path tmp) throws Exception {
        Result r = run(
                tmp,
                List.of(),
                config(tmp).toString(),
                "--out",
                tmp.resolve("run").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains("error: engine: this JVM cannot run a Spark driver on Java "
                                + Runtime.version().feature()
                                + ": it lacks --add-opens=java.base/sun.nio.ch=ALL-UNNAMED; start it with "
                                + "these flags"),
                r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace: " + r.err());
        assertFalse(Files.exists(tmp.resolve("run")));
    }
}
