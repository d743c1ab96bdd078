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
     * @throws IllegalArgumentException listing every problem ({@code name: message; ...}) when a value is invalid
     *     or a key unknown
     */
    public static Params resolve(List<ParamSpec> specs, Map<String, ?> raw) {
        Resolution r = check(specs, raw);
        ParamProblem.throwIfAny(r.problems());
        return r.params();
    }

    /**
     * Checks {@code raw} against {@code specs}, the one validation every parameter goes through (plugin nodes in
     * configs, the {@code train} section, {@link #resolve}): each unknown key (with a "did you mean" hint and the
     * valid names), then each value that breaks its {@link ParamSpec#check rule} in declaration order, is a
     * problem; a key given without a value ({@code alpha:} in YAML) counts as absent.
     *
     * @param specs the declarations
     * @param raw   configured values by name
     * @return every declared value in declaration order, defaults filled in (valid only when there are no
     *     problems), and the problems
     */
    public static Resolution check(List<ParamSpec> specs, Map<String, ?> raw) {
        Map<String, ParamSpec> byName = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            byName.put(s.name(), s);
        }
        List<String> valid = List.copyOf(byName.keySet());
        List<ParamProblem> problems = new ArrayList<>();
        Map<String, Object> checked = new LinkedHashMap<>();
        for (String key : raw.keySet()) {
            if (!byName.containsKey(key)) {
                problems.add(new ParamProblem(
                        key,
                        valid.isEmpty()
                                ? "unknown parameter; this plugin takes no parameters"
                                : "unknown parameter; " + Suggestions.didYouMean(key, valid) + "valid: " + valid));
            }
        }
        for (ParamSpec spec : specs) {
            Object value = raw.get(spec.name());
            if (value != null) {
                ParamSpec.Checked c = spec.check(value);
                if (c.problem() != null) {
                    problems.add(new ParamProblem(spec.name(), c.problem()));
                } else {
                    checked.put(spec.name(), c.value());
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            out.put(s.name(), checked.getOrDefault(s.name(), s.defaultValue()));
        }
        return new Resolution(new Params(out), List.copyOf(problems));
    }

    /**
     * The outcome of {@link #check}.
     *
     * @param params   every declared value, defaults filled in; meaningful only without problems
     * @param problems what is wrong, in the order found; empty when the values are valid
     */
    public record Resolution(Params params, List<ParamProblem> problems) {
        /** Whether there are no problems. */
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /** Wraps values already validated (for example read back from a run's resolved config). */
    public static Params ofResolved(Map<String, Object> values) {
        return new Params(values);
    }

    /**
     * The value of a parameter declared with {@link ParamSpec#ofChoice(String, Enum, String)}.
     *
     * @throws IllegalArgumentException when the value names no constant of {@code type}
     */
    public <E extends Enum<E> & Choice> E getChoice(String name, Class<E> type) {
        return Choice.of(type, getString(name));
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
