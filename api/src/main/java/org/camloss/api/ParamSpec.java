package org.camloss.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The declaration of one plugin parameter: its name, type, default, allowed values and description.
 *
 * <p>Plugins return a list of these from {@link PluginFactory#params()}; the runtime validates every
 * configured value against them before anything is built ({@link Params#check}), fills in defaults and lists
 * them in {@code camloss plugins}. A default that breaks its own rule is refused when the declaration is made.
 *
 * @param name         snake_case name used in configs
 * @param type         value type
 * @param defaultValue default, of the Java type matching {@code type} ({@link Integer}, {@link Double},
 *                     {@link Boolean} or {@link String}); never null
 * @param range        allowed values of an {@link ParamType#INT} or {@link ParamType#DOUBLE} parameter, each end
 *                     open or closed; null for the other types
 * @param choices      allowed values of a {@link ParamType#CHOICE} parameter, empty otherwise
 * @param description  one sentence shown to users
 */
public record ParamSpec(
        String name, ParamType type, Object defaultValue, Range range, List<String> choices, String description) {

    /**
     * Checks the declaration.
     *
     * @throws IllegalArgumentException when the name is not snake_case, a choice parameter has no choices, a range
     *     is missing for a number or given for anything else, or the default breaks the parameter's own rule
     */
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
        boolean numeric = type == ParamType.INT || type == ParamType.DOUBLE;
        if (numeric != (range != null)) {
            throw new IllegalArgumentException("parameter '" + name + "': "
                    + (numeric
                            ? "an int or double parameter needs a range"
                            : "only int and double parameters have a range"));
        }
        Checked own = check(type, range, choices, defaultValue);
        if (own.problem() != null) {
            throw new IllegalArgumentException("parameter '" + name + "': the default " + show(defaultValue)
                    + " breaks its own rule (" + own.problem() + ")");
        }
    }

    /** An integer parameter in {@code [min, max]}. */
    public static ParamSpec ofInt(String name, int defaultValue, int min, int max, String description) {
        return ofInt(name, defaultValue, Range.closed(min, max), description);
    }

    /** An integer parameter in {@code range}. */
    public static ParamSpec ofInt(String name, int defaultValue, Range range, String description) {
        return new ParamSpec(name, ParamType.INT, defaultValue, range, List.of(), description);
    }

    /** A real parameter in {@code [min, max]}. */
    public static ParamSpec ofDouble(String name, double defaultValue, double min, double max, String description) {
        return ofDouble(name, defaultValue, Range.closed(min, max), description);
    }

    /** A real parameter in {@code range}, e.g. {@link Range#openClosed(double, double) (0, 10]} for a learning rate. */
    public static ParamSpec ofDouble(String name, double defaultValue, Range range, String description) {
        return new ParamSpec(name, ParamType.DOUBLE, defaultValue, range, List.of(), description);
    }

    /** A boolean parameter. */
    public static ParamSpec ofBoolean(String name, boolean defaultValue, String description) {
        return new ParamSpec(name, ParamType.BOOLEAN, defaultValue, null, List.of(), description);
    }

    /** A free-text parameter. */
    public static ParamSpec ofString(String name, String defaultValue, String description) {
        return new ParamSpec(name, ParamType.STRING, defaultValue, null, List.of(), description);
    }

    /** A parameter that takes one of {@code choices}. */
    public static ParamSpec ofChoice(String name, String defaultValue, List<String> choices, String description) {
        return new ParamSpec(name, ParamType.CHOICE, defaultValue, null, choices, description);
    }

    /**
     * A parameter that takes the {@linkplain Choice#id() id} of one constant of an enum; read it back with
     * {@link Params#getChoice(String, Class)}.
     */
    public static <E extends Enum<E> & Choice> ParamSpec ofChoice(String name, E defaultValue, String description) {
        return ofChoice(name, defaultValue.id(), Choice.ids(defaultValue.getDeclaringClass()), description);
    }

    /**
     * Converts a raw configured value (as parsed from YAML or given on the command line) to this
     * parameter's Java type.
     *
     * @return the converted value, or a problem that names the rule and the value
     */
    public Checked check(Object raw) {
        return check(type, range, choices, raw);
    }

    private static Checked check(ParamType type, Range range, List<String> choices, Object raw) {
        if (raw == null) {
            return Checked.problem("must be a " + type.label() + ", found null");
        }
        Object value;
        switch (type) {
            case INT -> {
                Long v = asLong(raw);
                if (v == null) {
                    return Checked.problem("must be an integer, found " + show(raw));
                }
                if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
                    return Checked.problem("must be in " + range + ", found " + v);
                }
                value = (int) (long) v;
            }
            case DOUBLE -> {
                Double v = asDouble(raw);
                if (v == null) {
                    return Checked.problem("must be a number, found " + show(raw));
                }
                if (v.isNaN() || v.isInfinite()) {
                    return Checked.problem("must be a finite number, found " + show(raw));
                }
                value = v;
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
                    return Checked.problem("must be one of " + choices + ", found " + show(raw)
                            + (raw instanceof String s ? hint(s, choices) : ""));
                }
                value = s;
            }
            default -> throw new AssertionError(type);
        }
        if (value instanceof Number n && range != null && !range.contains(n.doubleValue())) {
            return Checked.problem("must be in " + range + ", found " + show(raw));
        }
        return new Checked(value, null);
    }

    private static String hint(String s, List<String> choices) {
        return Suggestions.closest(s, choices)
                .map(c -> "; did you mean '" + c + "'?")
                .orElse("");
    }

    /** The smallest allowed number (the range's lower end, open or closed), or null for other types. */
    public Double min() {
        return range == null ? null : range.lower();
    }

    /** The largest allowed number (the range's upper end, open or closed), or null for other types. */
    public Double max() {
        return range == null ? null : range.upper();
    }

    /** The allowed values in words, for listings and messages: {@code (0, 10]}, {@code true|false}, the choices. */
    public String allowed() {
        return switch (type) {
            case INT, DOUBLE -> range.toString();
            case BOOLEAN -> "true|false";
            case STRING -> "text";
            case CHOICE -> String.join("|", choices);
        };
    }

    private static Long asLong(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof java.math.BigInteger bi && bi.bitLength() < 63) {
            return bi.longValue();
        }
        if (raw instanceof Number n
                && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) < 1e15) {
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

    static String show(Object raw) {
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
