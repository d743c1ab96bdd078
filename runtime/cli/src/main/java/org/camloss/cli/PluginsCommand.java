package org.camloss.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.camloss.api.ParamSpec;
import org.camloss.api.PluginFactory;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import picocli.CommandLine.Command;

/** {@code camloss plugins}. */
@Command(
        name = "plugins",
        mixinStandardHelpOptions = true,
        description = "List every registered plugin id per kind, with its parameters, defaults and descriptions.")
final class PluginsCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Main main;

    /**
     * Lists every plugin that loaded; any that did not are reported afterwards on stderr, naming the jar and the
     * entry, with exit status 2.
     */
    @Override
    public Integer call() {
        PluginRegistry registry = main.registryWithProblems();
        for (PluginKind<?> kind : PluginKind.all()) {
            out().println(kind.name() + (kind.discoverable() ? ":" : " (built in):"));
            List<? extends PluginFactory<?>> all = registry.all(kind);
            if (all.isEmpty()) {
                out().println("  (none installed)");
            }
            for (PluginFactory<?> f : all) {
                out().println("  " + f.id() + (f.aliases().isEmpty() ? "" : " (aliases: " + f.aliases() + ")"));
                out().println("      " + f.description());
                printParams(f.params());
            }
            out().println();
        }
        if (!registry.problems().isEmpty()) {
            var err = spec.commandLine().getErr();
            err.println("error: " + registry.problems().size() + " plugin"
                    + (registry.problems().size() == 1 ? "" : "s") + " could not be loaded:");
            registry.problems().forEach(p -> err.println("  " + p));
            return 2;
        }
        return 0;
    }

    private void printParams(List<ParamSpec> params) {
        for (ParamSpec p : params) {
            out().printf(
                            "      %-16s %-7s default %-10s %-22s %s%n",
                            p.name(), p.type().label(), p.defaultValue(), p.allowed(), p.description());
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
