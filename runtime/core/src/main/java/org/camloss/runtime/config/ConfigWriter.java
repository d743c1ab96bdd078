package org.camloss.runtime.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes resolved configs (and other plain maps, such as run provenance) as YAML or JSON.
 *
 * <p>What it writes for an {@link ExperimentConfig} is itself a valid config: {@link ConfigLoader} loads
 * it back to an equal value.
 */
public final class ConfigWriter {
    private ConfigWriter() {}

    /** {@code config} as YAML, every default filled in. */
    public static String toYaml(ExperimentConfig config) {
        return toYaml(config.toMap());
    }

    /** {@code config} as indented JSON ending in a newline, every default filled in. */
    public static String toJson(ExperimentConfig config) {
        return toJson(config.toMap());
    }

    /** A map of plain values (maps, lists, strings, numbers, booleans) as YAML. */
    public static String toYaml(Map<String, ?> map) {
        return write(Mappers.YAML, map);
    }

    /** A map of plain values (maps, lists, strings, numbers, booleans) as indented JSON ending in a newline. */
    public static String toJson(Map<String, ?> map) {
        return write(Mappers.JSON, map) + "\n";
    }

    /** Writes {@link #toYaml(ExperimentConfig)} to {@code file} (UTF-8), replacing it. */
    public static void writeYaml(ExperimentConfig config, Path file) throws IOException {
        Files.writeString(file, toYaml(config));
    }

    /** Writes {@link #toJson(ExperimentConfig)} to {@code file} (UTF-8), replacing it. */
    public static void writeJson(ExperimentConfig config, Path file) throws IOException {
        Files.writeString(file, toJson(config));
    }

    private static String write(ObjectMapper mapper, Map<String, ?> map) {
        try {
            return mapper.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialize config: " + e.getOriginalMessage(), e);
        }
    }
}
