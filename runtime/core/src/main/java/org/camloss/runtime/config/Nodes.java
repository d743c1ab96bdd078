package org.camloss.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers for the raw config tree (maps, lists and scalars as parsed from YAML or JSON). */
final class Nodes {
    private Nodes() {}

    /** A value as shown after "found": strings quoted, maps and lists by kind, scalars as written. */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        if (value instanceof Map<?, ?> m) {
            return m.isEmpty() ? "an empty map" : "a map";
        }
        if (value instanceof List<?> l) {
            return l.isEmpty() ? "an empty list" : "a list";
        }
        return value.toString();
    }

    /** A copy of {@code map} with every key as a string, in the same order. */
    static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** A deep, mutable copy of a tree of maps and lists; scalars are shared. */
    static Object deepCopy(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), deepCopy(v)));
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object v : l) {
                out.add(deepCopy(v));
            }
            return out;
        }
        return node;
    }
}
