package org.camloss.runtime.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code --set path=value} overrides: parsing them, and applying them to a raw config tree.
 *
 * <p>Paths are dotted keys; a number selects a list element ({@code regularizers.0.params.epsilon}), and
 * the index one past the end appends. Missing maps and lists on the way are created. Values are parsed as
 * YAML ({@code 0.5} a number, {@code true} a boolean, {@code [a, b]} a list, an empty value null).
 * Setting a plugin node's {@code id} to a different plugin drops the {@code params} the node had so far,
 * since they belonged to the other plugin; later overrides may set new ones.
 */
final class Overrides {
    /** The source name problems with overrides are reported under. */
    static final String SOURCE = "--set";

    private static final String EXAMPLE = "expected path=value, e.g. train.epochs=2";

    private Overrides() {}

    /** One parsed override. */
    record Override(String path, List<String> segments, Object value) {}

    /** Parses {@code texts}, adding a problem (source {@code --set}) for each malformed one. */
    static List<Override> parse(List<String> texts, List<ConfigProblem> problems) {
        List<Override> out = new ArrayList<>();
        for (String text : texts) {
            int eq = text.indexOf('=');
            if (eq < 0) {
                problems.add(problem("", "malformed override '" + text + "': no '='; " + EXAMPLE));
                continue;
            }
            String path = text.substring(0, eq).trim();
            String rawValue = text.substring(eq + 1).trim();
            if (path.isEmpty()) {
                problems.add(problem("", "malformed override '" + text + "': empty path before '='; " + EXAMPLE));
                continue;
            }
            List<String> segments = Arrays.asList(path.split("\\.", -1));
            if (segments.stream().anyMatch(String::isEmpty)) {
                problems.add(problem(
                        "", "malformed override '" + text + "': path '" + path + "' has an empty key; " + EXAMPLE));
                continue;
            }
            try {
                out.add(new Override(path, segments, parseValue(rawValue)));
            } catch (YamlReader.Problem e) {
                problems.add(problem(path, "cannot parse value '" + rawValue + "' as YAML: " + e.getMessage()));
            }
        }
        return out;
    }

    /**
     * Applies {@code overrides} in order to {@code root}, adding a problem for each that cannot be applied.
     *
     * @return the config paths the overrides set or created; problems at or below them come from --set
     */
    static Set<String> apply(Map<String, Object> root, List<Override> overrides, List<ConfigProblem> problems) {
        Set<String> touched = new LinkedHashSet<>();
        for (Override o : overrides) {
            applyOne(root, o, touched, problems);
        }
        return touched;
    }

    /** Whether problem {@code path} lies at or below one of the {@code touched} paths. */
    static boolean fromOverride(String path, Set<String> touched) {
        for (String t : touched) {
            if (path.equals(t) || path.startsWith(t + ".")) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of the {@code touched} paths lies strictly below problem {@code path}. */
    static boolean touchesBelow(String path, Set<String> touched) {
        for (String t : touched) {
            if (path.isEmpty() || t.startsWith(path + ".")) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static void applyOne(
            Map<String, Object> root, Override o, Set<String> touched, List<ConfigProblem> problems) {
        Object cur = root;
        List<String> segs = o.segments();
        for (int i = 0; i < segs.size(); i++) {
            String seg = segs.get(i);
            boolean last = i == segs.size() - 1;
            String here = String.join(".", segs.subList(0, i + 1));
            String parent = i == 0 ? "the config root" : String.join(".", segs.subList(0, i));
            Object next;
            if (cur instanceof Map<?, ?> raw) {
                Map<String, Object> map = (Map<String, Object>) raw;
                if (last) {
                    if (seg.equals("id") && map.get("id") != null && !Objects.equals(map.get("id"), o.value())) {
                        map.remove("params");
                    }
                    map.put(seg, o.value());
                    touched.add(here);
                    return;
                }
                next = map.get(seg);
                if (next == null) {
                    next = container(segs.get(i + 1));
                    map.put(seg, next);
                    touched.add(here);
                }
            } else if (cur instanceof List<?> raw) {
                List<Object> list = (List<Object>) raw;
                int index = index(seg);
                if (index < 0) {
                    problems.add(problem(
                            o.path(),
                            "cannot set: " + parent + " is a list; select an element by " + "index, e.g. " + parent
                                    + ".0"));
                    return;
                }
                if (index > list.size()) {
                    problems.add(problem(
                            o.path(),
                            "cannot set: index " + index + " is past the end of " + parent + ", which has "
                                    + list.size() + " element(s); use 0 to " + list.size()));
                    return;
                }
                Object existing = index < list.size() ? list.get(index) : null;
                Object value = last ? o.value() : existing != null ? existing : container(segs.get(i + 1));
                if (index == list.size()) {
                    list.add(value);
                } else {
                    list.set(index, value);
                }
                if (last || existing == null) {
                    touched.add(here);
                }
                if (last) {
                    return;
                }
                next = value;
            } else {
                problems.add(problem(
                        o.path(), "cannot set: " + parent + " is " + Nodes.describe(cur) + ", not a map or list"));
                return;
            }
            cur = next;
        }
    }

    /** A value as the config file's YAML would read it ({@link YamlReader}); empty is null. */
    private static Object parseValue(String text) throws YamlReader.Problem {
        return text.isEmpty() ? null : YamlReader.read(text);
    }

    private static Object container(String nextSegment) {
        return index(nextSegment) >= 0 ? new ArrayList<>() : new LinkedHashMap<String, Object>();
    }

    private static int index(String segment) {
        if (segment.isEmpty() || segment.length() > 6 || !segment.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(segment);
    }

    private static ConfigProblem problem(String path, String message) {
        return new ConfigProblem(path, message, SOURCE);
    }
}
