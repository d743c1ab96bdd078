package org.camloss.api.cam;

import org.camloss.api.Choice;

/** Per-sample normalisation Φ of a map over its H·W pixels, as named in configs. */
public enum Normalization implements Choice {
    /** Φ(X) = (X − min X) / (max X − min X + ε); a flat map becomes zeros. The default. */
    MIN_MAX("min-max"),
    /** Φ(X) = X / (max |X| + ε). */
    MAX("max");

    private final String id;

    Normalization(String id) {
        this.id = id;
    }

    /** The config name, e.g. {@code min-max}. */
    @Override
    public String id() {
        return id;
    }
}
