package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.UserException;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ExperimentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config's {@code engine} section without any engine on the class path (the default build). */
class EngineSectionTest {
    private static final Camloss CAMLOSS = Camloss.builder().build();

    private static Map<String, Object> with(Object engine) {
        Map<String, Object> raw = new LinkedHashMap<>(CamlossTest.TINY);
        raw.put("engine", engine);
        return raw;
    }

    @Test
    void isKeptInTheResolvedConfig() {
        ExperimentConfig c = CAMLOSS.config(with(Map.of("id", "spark", "params", Map.of("workers", 2))), List.of());
        assertEquals(
                Map.of("id", "spark", "params", Map.of("workers", 2)), c.toMap().get("engine"));
        assertFalse(CAMLOSS.config(CamlossTest.TINY, List.of()).toMap().containsKey("engine"));
        ExperimentConfig set = CAMLOSS.config(CamlossTest.TINY, List.of("engine.id=spark", "engine.params.workers=4"));
        assertEquals(
                Map.of("id", "spark", "params", Map.of("workers", 4)),
                set.toMap().get("engine"));
    }

    @Test
    void aMalformedSectionIsAConfigProblem() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> CAMLOSS.config(with(Map.of("id", "spark", "param", 1)), List.of()));
        assertEquals("config: engine: unknown key(s) [param]; valid keys: [id, params]", e.getMessage());
    }

    @Test
    void anEngineThatIsNotOnTheClassPathIsRefusedBeforeTheRunDirectoryExists(@TempDir Path tmp) throws Exception {
        ExperimentConfig c = CAMLOSS.config(with(Map.of("id", "spark")), List.of());
        UserException e = assertThrows(UserException.class, () -> CAMLOSS.train(c, tmp.resolve("run")));
        assertEquals(
                "engine.id: no engine 'spark'. Available: [] (the spark engine is not on this class path; the ./camloss launcher and the default build have no Spark: build the application jar with 'mvn -Pspark package' and run it with spark-submit: runtime/spark/target/camloss-spark-VERSION-app.jar takes train's arguments; see docs/distributed.md)",
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("run")));
    }
}
