package org.camloss.runtime.config;

import java.util.List;
import java.util.stream.Collectors;
import org.camloss.api.UserException;

/**
 * Thrown when a config is invalid; carries every problem found, not just the first. A {@link UserException}, so a
 * host that catches those handles config problems too.
 *
 * <p>{@link #getMessage()} renders one problem per line ({@link ConfigProblem#render()}), e.g.
 * <pre>
 * experiment.yaml: loss.params.alpah: unknown parameter; did you mean 'alpha'? valid: [alpha, eps]
 * --set: train.epochs: must be in [1, 100000], found 0
 * </pre>
 */
public final class ConfigException extends UserException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    /**
     * @param problems at least one problem
     */
    public ConfigException(List<ConfigProblem> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in the order found (roughly the order of the config's sections). */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String render(List<ConfigProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        return problems.stream().map(ConfigProblem::render).collect(Collectors.joining("\n"));
    }
}
