package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --engine ID} on the command line's own class path, which holds no engine (Spark is in camloss-spark). */
class EngineOptionTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void anEngineThatIsNotOnTheClassPathExitsWith2AndWritesNothing(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "name: e",
                        "data: { id: shapes, params: { train: 32, test: 16, size: 16 } }",
                        "backbone: { id: resnet-cifar, params: { depth: 8, width: 0.5 } }",
                        "train: { epochs: 1, batch_size: 16, progress: false }",
                        ""));
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(
                        "train",
                        config.toString(),
                        "--engine",
                        "spark",
                        "--out",
                        tmp.resolve("run").toString());
        assertEquals(2, code, err.toString());
        assertTrue(
                err.toString()
                        .contains(
                                "engine.id: no engine 'spark'. Available: [] (the spark engine is not on this class path; the ./camloss launcher and the default build have no Spark: build the application jar with 'mvn -Pspark package' and run it with spark-submit: runtime/spark/target/camloss-spark-VERSION-app.jar takes train's arguments; see docs/distributed.md)"),
                err.toString());
        assertFalse(Files.exists(tmp.resolve("run")));
    }
}
