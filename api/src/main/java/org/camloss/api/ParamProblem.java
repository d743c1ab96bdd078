package org.camloss.api;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One thing wrong with a plugin's parameter values.
 *
 * @param param   the parameter's name, or the empty string for a rule between several parameters
 * @param message the rule, the value found and the valid choices, e.g. {@code must be in [1, 100], found 0}
 */
public record ParamProblem(String param, String message) {
    public ParamProblem {
        Objects.requireNonNull(param, "param");
        Objects.requireNonNull(message, "message");
    }

    /** {@code param: message}, or the message alone for a rule between parameters. */
    public String render() {
        return param.isEmpty() ? message : param + ": " + message;
    }

    /**
     * Throws when there are problems.
     *
     * @throws IllegalArgumentException with every problem rendered, separated by "; "
     */
    public static void throwIfAny(List<ParamProblem> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    problems.stream().map(ParamProblem::render).collect(Collectors.joining("; ")));
        }
    }
}
