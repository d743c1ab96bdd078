package org.camloss.runtime.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camloss.runtime.run.Json;

/**
 * Appends one JSON object per epoch to {@code metrics.jsonl} and flushes it to disk at once. A non-finite number is
 * written as {@code null} and named in the row's {@code warnings}.
 */
public final class MetricsWriter implements TrainListener {
    private final Path file;

    public MetricsWriter(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(EpochStats stats) {
        Map<String, Object> row = new java.util.LinkedHashMap<>(stats.metrics());
        List<String> nonFinite = Json.nonFinite(row);
        if (!nonFinite.isEmpty()) {
            row.put(
                    "warnings",
                    nonFinite.stream().map(k -> k + ": no finite value").toList());
        }
        // java.io, not NIO: it works while the thread's interrupt flag is set (a run being stopped)
        try (java.io.FileOutputStream out = new java.io.FileOutputStream(file.toFile(), true)) {
            out.write((Json.toJsonLine(row) + "\n").getBytes(StandardCharsets.UTF_8));
            out.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /**
     * The rows of {@code file}, in order; a last line cut short by a crash is left out. Empty when the file does not
     * exist.
     */
    public static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                rows.add(Json.parse(lines.get(i)));
            } catch (IOException e) {
                if (i < lines.size() - 1) {
                    throw new IOException(
                            file + ", line " + (i + 1) + ": not a JSON object (" + e.getMessage() + ")", e);
                }
            }
        }
        return rows;
    }

    /** Rewrites {@code file} atomically with {@code rows} (a resumed run drops the epochs after its checkpoint). */
    public static void rewrite(Path file, List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        rows.forEach(r -> sb.append(Json.toJsonLine(r)).append('\n'));
        Json.writeText(file, sb.toString());
    }
}
