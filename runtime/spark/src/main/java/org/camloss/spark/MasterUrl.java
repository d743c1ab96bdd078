package org.camloss.spark;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The master URLs Spark 3.5 accepts ({@code SparkContext.createTaskScheduler} and {@code SparkMasterRegex}), checked
 * before a context is made so a typo is a config error naming the setting, not a failure deep inside Spark.
 */
final class MasterUrl {
    static final List<String> FORMS = List.of(
            "local",
            "local[N]",
            "local[*]",
            "local[N,F]",
            "local-cluster[N,CORES,MB]",
            "spark://HOST:PORT[,HOST:PORT...]",
            "yarn",
            "k8s://https://HOST:PORT");

    private static final List<Pattern> PATTERNS = List.of(
            Pattern.compile("local"),
            Pattern.compile("local\\[([0-9]+|\\*)\\]"),
            Pattern.compile("local\\[([0-9]+|\\*)\\s*,\\s*([0-9]+)\\]"),
            Pattern.compile("local-cluster\\[\\s*([0-9]+)\\s*,\\s*([0-9]+)\\s*,\\s*([0-9]+)\\s*\\]"),
            Pattern.compile("spark://[^\\s,/]+:[0-9]+(,[^\\s,/]+:[0-9]+)*"),
            Pattern.compile("yarn"),
            Pattern.compile("k8s://\\S+"));

    private MasterUrl() {}

    /** Why Spark would refuse {@code url}, or empty when it has one of the {@link #FORMS}. */
    static Optional<String> problem(String url) {
        for (Pattern p : PATTERNS) {
            if (p.matcher(url).matches()) {
                if (url.startsWith("local[")
                        && !url.startsWith("local[*")
                        && Integer.parseInt(url.replaceAll("local\\[([0-9]+).*", "$1")) < 1) {
                    return Optional.of("'" + url + "' asks for no threads; use local[N] with N >= 1");
                }
                return Optional.empty();
            }
        }
        return Optional.of("'" + url + "' is no Spark master URL; valid forms: " + String.join(", ", FORMS));
    }

    /** The threads (local[N]) or executors (local-cluster[N,...]) a local master offers, or empty when unknown. */
    static Optional<Integer> localSlots(String url) {
        var m = Pattern.compile("local\\[([0-9]+)(\\s*,\\s*[0-9]+)?\\]").matcher(url);
        if (m.matches()) {
            return Optional.of(Integer.parseInt(m.group(1)));
        }
        m = PATTERNS.get(3).matcher(url);
        if (m.matches()) {
            return Optional.of(Integer.parseInt(m.group(1)) * Integer.parseInt(m.group(2)));
        }
        if (url.equals("local")) {
            return Optional.of(1);
        }
        return Optional.empty();
    }
}
