package org.camloss.runtime.registry;

import java.util.List;
import org.camloss.api.UserException;

/**
 * Plugins that cannot be used: a services entry naming a class that does not load, a factory whose declarations
 * throw or break a rule, two plugins claiming one id. Each problem names the plugin's class and its jar (or the
 * services file). A {@link UserException}: the fix is in the plugin jars given to camloss.
 */
public final class PluginLoadException extends UserException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    /**
     * @param problems at least one problem
     */
    public PluginLoadException(List<String> problems) {
        super("cannot use every plugin:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, one message each. */
    public List<String> problems() {
        return problems;
    }
}
