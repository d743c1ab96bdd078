package org.camloss.runtime.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** Helpers shared by the config tests. */
final class ConfigTesting {
    private ConfigTesting() {}

    /** Copies test resource {@code resource} into {@code dir} as {@code name}. */
    static Path fixture(Path dir, String resource, String name) {
        try (InputStream in = ConfigTesting.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            Path file = dir.resolve(name);
            Files.copy(in, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code text} into {@code dir} as {@code name}. */
    static Path write(Path dir, String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An insertion-ordered map of {@code key, value, key, value, ...}. */
    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** The rendered problem lines of the {@link ConfigException} that {@code action} throws. */
    static List<String> problems(Executable action) {
        ConfigException e = assertThrows(ConfigException.class, action);
        return e.getMessage().lines().toList();
    }
}
