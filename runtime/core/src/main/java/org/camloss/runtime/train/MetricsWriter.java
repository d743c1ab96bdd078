package org.camloss.runtime.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one JSON object per epoch to {@code metrics.jsonl}, flushed at once. */
public final class MetricsWriter implements TrainListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsWriter(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(EpochStats stats) {
        try (BufferedWriter w = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(JSON.writeValueAsString(stats.metrics()));
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
