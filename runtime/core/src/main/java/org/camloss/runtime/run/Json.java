package org.camloss.runtime.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON files written atomically (temporary file, flushed to disk, then renamed), so readers never see half a file.
 * JSON has no NaN or infinity: a non-finite number is written as {@code null} ({@link #finite}), never as a string.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private Json() {}

    /** Writes {@code value} as pretty JSON to {@code file} atomically (non-finite numbers as null). */
    public static void write(Path file, Object value) {
        writeText(file, toJson(value) + "\n");
    }

    /**
     * Writes {@code text} to {@code file}: a temporary file beside it, flushed to disk, then renamed. Uses
     * {@code java.io} streams, which (unlike NIO channels) still work while the thread's interrupt flag is set, so a
     * run being stopped can still record that it was.
     */
    public static void writeText(Path file, String text) {
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            try (java.io.FileOutputStream out = new java.io.FileOutputStream(tmp.toFile())) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.getFD().sync();
            }
            moveAtomically(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** {@code value} as pretty JSON, non-finite numbers as null. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(finite(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} as one line of JSON, non-finite numbers as null. */
    public static String toJsonLine(Object value) {
        try {
            return COMPACT.writeValueAsString(finite(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON object's text as a map. */
    public static Map<String, Object> parse(String json) throws IOException {
        return MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /** Reads a JSON object. */
    public static Map<String, Object> read(Path file) throws IOException {
        return MAPPER.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /**
     * A copy of {@code value} (maps, lists, numbers, strings) with every NaN or infinite number replaced by null, as
     * JSON has no such numbers.
     */
    public static Object finite(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, finite(v)));
            return out;
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(v -> out.add(finite(v)));
            return out;
        }
        if ((value instanceof Double || value instanceof Float) && !Double.isFinite(((Number) value).doubleValue())) {
            return null;
        }
        return value;
    }

    /** The paths ({@code a.b.0}) of the non-finite numbers in {@code value}, for the warnings of a results file. */
    public static List<String> nonFinite(Object value) {
        List<String> out = new ArrayList<>();
        collectNonFinite("", value, out);
        return out;
    }

    private static void collectNonFinite(String path, Object value, List<String> out) {
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> collectNonFinite(path.isEmpty() ? String.valueOf(k) : path + "." + k, v, out));
        } else if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                collectNonFinite(path + "." + i, l.get(i), out);
            }
        } else if ((value instanceof Double || value instanceof Float)
                && !Double.isFinite(((Number) value).doubleValue())) {
            out.add(path);
        }
    }

    /** Renames {@code from} to {@code to}, atomically where the file system can. */
    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
