package org.camloss.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.camloss.runtime.Camloss;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every shipped example config validates against the installed plugins (data and teachers are not read). */
class ExampleConfigsTest {
    @TestFactory
    Stream<DynamicTest> everyExampleConfigIsValid() throws IOException {
        Path dir = Path.of("../configs");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no example configs in " + dir.toAbsolutePath());
        Camloss camloss = Camloss.builder().build();
        return files.stream()
                .map(f ->
                        DynamicTest.dynamicTest(dir.relativize(f).toString(), () -> camloss.loadConfig(f, List.of())));
    }
}
