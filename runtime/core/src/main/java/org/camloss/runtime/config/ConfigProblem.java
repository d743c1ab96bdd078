package org.camloss.runtime.config;

import java.util.Objects;

/**
 * One thing wrong with a config: where, and what rule the value there breaks.
 *
 * @param path    dotted config path, e.g. {@code loss.params.alpha} or {@code regularizers.0.id}; empty for
 *                the config as a whole (an unreadable file, a YAML syntax error)
 * @param message the rule, the value found and the valid choices, e.g.
 *                {@code must be in [1, 100000], found 0}
 * @param source  where the value came from: the config file as named by the user, {@code --set}, or empty
 *                when unknown
 */
public record ConfigProblem(String path, String message, String source) {

    public ConfigProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(source, "source");
    }

    /** A problem whose source is not (yet) known. */
    public ConfigProblem(String path, String message) {
        this(path, message, "");
    }

    /** This problem, attributed to {@code source}. */
    public ConfigProblem withSource(String source) {
        return new ConfigProblem(path, message, source);
    }

    /** One line: {@code source: path: message}, leaving out the parts that are empty. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        if (!source.isEmpty()) {
            sb.append(source).append(": ");
        }
        if (!path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb.append(message).toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
