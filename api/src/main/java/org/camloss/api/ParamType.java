package org.camloss.api;

/** The value types a plugin parameter can declare. */
public enum ParamType {
    /** A whole number (YAML integer). */
    INT,
    /** A real number; integers are accepted and widened. */
    DOUBLE,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** Free text. */
    STRING,
    /** One of a fixed list of strings. */
    CHOICE;

    /** The lower-case name used in messages and listings. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
