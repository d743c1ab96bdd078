package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.wiring.ExperimentParts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every regularizer's example config validates and passes the checks between its regularizers and its backbone
 * (made with a tiny shapes set so that nothing large is generated).
 */
class RegularizerExampleConfigsTest {
    private static final Path CONFIGS = Path.of("..", "..", "examples", "configs");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "shapes-cutmix.yaml",
                "shapes-cutout.yaml",
                "shapes-random-erasing.yaml",
                "shapes-dropout.yaml",
                "shapes-stochastic-depth.yaml",
                "shapes-shakedrop.yaml",
                "regularizers-shapes.yaml"
            })
    void validatesAndPassesTheRegularizerChecks(String file) {
        Camloss camloss = Camloss.builder().build();
        ExperimentConfig c =
                camloss.loadConfig(CONFIGS.resolve(file), List.of("data.params.train=32", "data.params.test=16"));
        assertEquals(32, c.data().params().get("train"));
        ExperimentParts parts = ExperimentParts.make(camloss.registry(), c);
        assertFalse(file.startsWith("shapes-") && parts.regularizers().isEmpty(), file + " lists no regularizer");
    }
}
