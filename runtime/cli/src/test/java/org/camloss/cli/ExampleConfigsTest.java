package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.camloss.runtime.Camloss;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every config under {@code examples/configs} is valid: known plugins, keys, ranges and sections. */
class ExampleConfigsTest {
    @TestFactory
    Stream<DynamicTest> everyExampleConfigValidates() throws IOException {
        Path dir = Path.of("..", "..", "examples", "configs").toAbsolutePath().normalize();
        List<Path> configs;
        try (Stream<Path> files = Files.walk(dir)) {
            configs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(configs.size() >= 20, "found only " + configs);
        Camloss camloss = Camloss.builder().build();
        return configs.stream()
                .map(p -> DynamicTest.dynamicTest(
                        dir.relativize(p).toString(),
                        () -> assertDoesNotThrow(() -> camloss.loadConfig(p, List.of()))));
    }
}
