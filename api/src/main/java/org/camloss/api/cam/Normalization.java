package org.camloss.api.cam;

import java.util.Arrays;
import java.util.List;

/** Per-sample normalisation Φ of a map over its H·W pixels, as named in configs. */
public enum Normalization {
    /** Φ(X) = (X − min X) / (max X − min X + ε); a flat map becomes zeros. The default. */
    MIN_MAX("min-max"),
    /** Φ(X) = X / (max |X| + ε). */
    MAX("max");

    private final String id;

    Normalization(String id) {
        this.id = id;
    }

    /** The config name, e.g. {@code min-max}. */
    public String id() {
        return id;
    }

    /** Every config name. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Normalization::id).toList();
    }

    /** The normalisation named {@code id}. */
    public static Normalization of(String id) {
        for (Normalization n : values()) {
            if (n.id.equals(id)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown normalisation '" + id + "'; valid: " + ids());
    }
}
