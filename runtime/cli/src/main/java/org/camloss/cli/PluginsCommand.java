package org.camloss.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.camloss.api.ParamSpec;
import org.camloss.api.PluginFactory;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import picocli.CommandLine.Command;

/** {@code camloss plugins}. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List every registered plugin id per kind, with its parameters, defaults and descriptions.")
final class PluginsCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PluginRegistry registry = PluginRegistry.discover(PluginsCommand.class.getClassLoader());
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
        return 0;
    }

    private void printParams(List<ParamSpec> params) {
        for (ParamSpec p : params) {
            out().printf("      %-16s %-7s default %-10s %-22s %s%n", p.name(), p.type().label(),
                    p.defaultValue(), p.allowed(), p.description());
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
