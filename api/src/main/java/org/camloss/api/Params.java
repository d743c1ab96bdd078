package org.camloss.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolved, validated parameter values of one plugin: every declared parameter present, of its
 * declared type. Immutable.
 */
public final class Params {
    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Parameters with every declared default. */
    public static Params defaults(List<ParamSpec> specs) {
        return resolve(specs, Map.of());
    }

    /**
     * Validates {@code raw} against {@code specs} and fills in defaults.
     *
     * @throws IllegalArgumentException listing every problem when a value is invalid or a key unknown
     */
    public static Params resolve(List<ParamSpec> specs, Map<String, ?> raw) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> out = resolveInto(specs, raw, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new Params(out);
    }

    /**
     * Validates {@code raw} against {@code specs}, adding one message per problem to {@code problems}
     * (each starting with the parameter name), and returns the resolved values of the valid ones.
     */
    public static Map<String, Object> resolveInto(List<ParamSpec> specs, Map<String, ?> raw, List<String> problems) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, ParamSpec> byName = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            byName.put(s.name(), s);
        }
        for (String key : raw.keySet()) {
            if (!byName.containsKey(key)) {
                problems.add(key + ": unknown parameter; valid: " + byName.keySet());
            }
        }
        for (ParamSpec s : specs) {
            if (raw.containsKey(s.name())) {
                ParamSpec.Checked c = s.check(raw.get(s.name()));
                if (c.problem() != null) {
                    problems.add(s.name() + ": " + c.problem());
                } else {
                    out.put(s.name(), c.value());
                }
            } else {
                out.put(s.name(), s.defaultValue());
            }
        }
        return out;
    }

    /** Wraps already-validated values (as returned by {@link #resolveInto}). */
    public static Params ofResolved(Map<String, Object> values) {
        return new Params(values);
    }

    public int getInt(String name) {
        return ((Number) get(name)).intValue();
    }

    public double getDouble(String name) {
        return ((Number) get(name)).doubleValue();
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    public String getString(String name) {
        return (String) get(name);
    }

    /** The raw resolved value. */
    public Object get(String name) {
        Object v = values.get(name);
        if (v == null && !values.containsKey(name)) {
            throw new IllegalArgumentException("no parameter '" + name + "'; declared: " + values.keySet());
        }
        return v;
    }

    /** All values in declaration order. */
    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
