package org.camloss.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The declaration of one plugin parameter: its name, type, default, allowed range and description.
 *
 * <p>Plugins return a list of these from {@link PluginFactory#params()}; the runtime validates every
 * configured value against them before anything is built, fills in defaults and lists them in
 * {@code camloss plugins}.
 *
 * @param name        snake_case name used in configs
 * @param type        value type
 * @param defaultValue default, of the Java type matching {@code type} ({@link Integer}, {@link Double},
 *                    {@link Boolean} or {@link String}); never null
 * @param min         inclusive lower bound for numbers, or null
 * @param max         inclusive upper bound for numbers, or null
 * @param choices     allowed values for {@link ParamType#CHOICE}, empty otherwise
 * @param description one sentence shown to users
 */
public record ParamSpec(String name, ParamType type, Object defaultValue, Double min, Double max,
                        List<String> choices, String description) {

    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue of " + name);
        Objects.requireNonNull(description, "description of " + name);
        choices = List.copyOf(choices);
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("parameter name must be snake_case, found '" + name + "'");
        }
        if (type == ParamType.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("choice parameter '" + name + "' declares no choices");
        }
    }

    /** An integer parameter in {@code [min, max]}. */
    public static ParamSpec ofInt(String name, int defaultValue, int min, int max, String description) {
        return new ParamSpec(name, ParamType.INT, defaultValue, (double) min, (double) max, List.of(), description);
    }

    /** A real parameter in {@code [min, max]}. */
    public static ParamSpec ofDouble(String name, double defaultValue, double min, double max, String description) {
        return new ParamSpec(name, ParamType.DOUBLE, defaultValue, min, max, List.of(), description);
    }

    /** A boolean parameter. */
    public static ParamSpec ofBoolean(String name, boolean defaultValue, String description) {
        return new ParamSpec(name, ParamType.BOOLEAN, defaultValue, null, null, List.of(), description);
    }

    /** A free-text parameter. */
    public static ParamSpec ofString(String name, String defaultValue, String description) {
        return new ParamSpec(name, ParamType.STRING, defaultValue, null, null, List.of(), description);
    }

    /** A parameter that takes one of {@code choices}. */
    public static ParamSpec ofChoice(String name, String defaultValue, List<String> choices, String description) {
        if (!choices.contains(defaultValue)) {
            throw new IllegalArgumentException("default '" + defaultValue + "' of '" + name + "' is not among " + choices);
        }
        return new ParamSpec(name, ParamType.CHOICE, defaultValue, null, null, choices, description);
    }

    /**
     * Converts a raw configured value (as parsed from YAML or given on the command line) to this
     * parameter's Java type.
     *
     * @return the converted value, or a problem that names the rule and the value
     */
    public Checked check(Object raw) {
        if (raw == null) {
            return Checked.problem("must be a " + type.label() + ", found null");
        }
        Object value;
        switch (type) {
            case INT -> {
                value = asLong(raw);
                if (value == null) {
                    return Checked.problem("must be an integer, found " + show(raw));
                }
                long v = (Long) value;
                if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
                    return Checked.problem("must be in " + range() + ", found " + v);
                }
                value = (int) v;
            }
            case DOUBLE -> {
                value = asDouble(raw);
                if (value == null) {
                    return Checked.problem("must be a number, found " + show(raw));
                }
                if (((Double) value).isNaN() || ((Double) value).isInfinite()) {
                    return Checked.problem("must be a finite number, found " + show(raw));
                }
            }
            case BOOLEAN -> {
                if (raw instanceof Boolean b) {
                    value = b;
                } else if (raw instanceof String s && (s.equals("true") || s.equals("false"))) {
                    value = Boolean.parseBoolean(s);
                } else {
                    return Checked.problem("must be true or false, found " + show(raw));
                }
            }
            case STRING -> {
                if (!(raw instanceof String) && !(raw instanceof Number) && !(raw instanceof Boolean)) {
                    return Checked.problem("must be a string, found " + show(raw));
                }
                value = raw.toString();
            }
            case CHOICE -> {
                if (!(raw instanceof String s) || !choices.contains(s)) {
                    return Checked.problem("must be one of " + choices + ", found " + show(raw));
                }
                value = s;
            }
            default -> throw new AssertionError(type);
        }
        if (value instanceof Number n && (min != null || max != null)) {
            double d = n.doubleValue();
            if ((min != null && d < min) || (max != null && d > max)) {
                return Checked.problem("must be in " + range() + ", found " + show(raw));
            }
        }
        return new Checked(value, null);
    }

    /** The allowed values in words, for listings and messages: {@code [0, 10]}, {@code true|false}, the choices. */
    public String range() {
        return switch (type) {
            case INT -> "[" + fmt(min) + ", " + fmt(max) + "]";
            case DOUBLE -> "[" + fmt(min) + ", " + fmt(max) + "]";
            case BOOLEAN -> "true|false";
            case STRING -> "text";
            case CHOICE -> String.join("|", choices);
        };
    }

    private String fmt(Double d) {
        if (d == null) {
            return "";
        }
        if (type == ParamType.INT || (d == Math.rint(d) && Math.abs(d) < 1e15)) {
            return Long.toString(d.longValue());
        }
        return d.toString();
    }

    private static Long asLong(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof java.math.BigInteger bi && bi.bitLength() < 63) {
            return bi.longValue();
        }
        if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
            return (long) n.doubleValue();
        }
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Double asDouble(Object raw) {
        if (raw instanceof Number n) {
            return n.doubleValue();
        }
        if (raw instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String show(Object raw) {
        return raw instanceof String s ? "'" + s + "'" : String.valueOf(raw);
    }

    /**
     * The outcome of {@link #check(Object)}: a converted value or a problem.
     *
     * @param value   converted value, or null when there is a problem
     * @param problem what is wrong, or null
     */
    public record Checked(Object value, String problem) {
        static Checked problem(String problem) {
            return new Checked(null, problem);
        }

        /** The problem, if any. */
        public Optional<String> error() {
            return Optional.ofNullable(problem);
        }
    }
}
