package org.camloss.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.camloss.api.UserException;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.RuntimeSettings;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.registry.PluginLoadException;
import org.camloss.runtime.registry.PluginPath;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.train.TrainingCancelledException;
import org.camloss.runtime.train.TrainingFailedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code camloss} command line. Exit status: 0 success, 2 bad input (config, data, run directory,
 * arguments) with one message and no stack trace, 1 a failed run.
 */
@Command(
        name = "camloss",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Train image classifiers with CAM-loss (Wang et al., ICCV 2021) on DL4J, and look at their "
                + "class activation maps.",
        subcommands = {
            DemoCommand.class,
            TrainCommand.class,
            ResumeCommand.class,
            EvalCommand.class,
            ExplainCommand.class,
            ReportCommand.class,
            FewShotCommand.class,
            CompareCommand.class,
            BenchCommand.class,
            PluginsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    /** The environment variable listing plugin jars or directories, separated by the path separator ({@code :}). */
    public static final String PLUGINS_ENV = "CAMLOSS_PLUGINS";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--plugins",
            paramLabel = "PATH",
            scope = CommandLine.ScopeType.INHERIT,
            description = "A plugin jar, or a directory of jars, to load beside the built-in plugins (repeatable; "
                    + "also the CAMLOSS_PLUGINS variable, ':'-separated, and the plugins/ directory beside the "
                    + "camloss launcher).")
    List<Path> plugins = new ArrayList<>();

    /** The plugin path: --plugins, then CAMLOSS_PLUGINS, then the launcher's plugins/ directory when it exists. */
    List<PluginPath.Entry> pluginPath() {
        List<PluginPath.Entry> entries = new ArrayList<>();
        plugins.forEach(p -> entries.add(new PluginPath.Entry(p, "--plugins")));
        String env = System.getenv(PLUGINS_ENV);
        if (env != null) {
            for (String part : env.split(java.io.File.pathSeparator)) {
                if (!part.isBlank()) {
                    entries.add(new PluginPath.Entry(Path.of(part.trim()), PLUGINS_ENV));
                }
            }
        }
        String home = System.getProperty("camloss.home");
        if (home != null) {
            entries.add(new PluginPath.Entry(Path.of(home, "plugins"), "plugins directory", true));
        }
        return entries;
    }

    /**
     * The library facade with the plugin path and the command line's process-wide settings (oneDNN helpers,
     * automatic threads, periodic garbage collection); fails on any plugin that cannot be used.
     */
    Camloss camloss() {
        return Camloss.builder()
                .pluginPath(pluginPath())
                .settings(RuntimeSettings.commandLine())
                .build();
    }

    /**
     * The plugins on the plugin path, healthy or not: the registry lists what loaded and its
     * {@link PluginRegistry#problems()} what did not.
     */
    PluginRegistry registryWithProblems() {
        return PluginRegistry.builder()
                .addDiscovered(PluginPath.classLoader(pluginPath(), Main.class.getClassLoader()))
                .build();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the CLI and returns the exit status (never exits the JVM). */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        java.util.Optional<String> badSwitch = SwitchProperties.problem(System.getProperties())
                .or(() -> SwitchProperties.environmentProblem(System.getenv()));
        if (badSwitch.isPresent()) {
            err.println("error: " + badSwitch.get());
            err.flush();
            return 2;
        }
        try {
            return commandLine(out, err).execute(args);
        } finally {
            out.flush(); // print() without a newline is not auto-flushed
            err.flush();
        }
    }

    /** The configured picocli command line, writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            if (ex instanceof ConfigException ce) {
                e.println("error: invalid configuration");
                e.println(ce.getMessage());
                return 2;
            }
            if (ex instanceof PluginLoadException pe) {
                e.println("error: " + pe.getMessage());
                return 2;
            }
            if (ex instanceof UserException ue) {
                e.println("error: " + ue.getMessage());
                return 2;
            }
            if (ex instanceof TrainingFailedException tf) {
                e.println("error: " + tf.getMessage());
                if (tf.getCause() != null) {
                    e.println("cause: " + tf.getCause());
                }
                return 1;
            }
            if (ex instanceof TrainingCancelledException tc) {
                e.println("error: " + tc.getMessage());
                return 1;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            e.println("error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, e);
            e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return 2;
        });
        return cl;
    }

    /** Set once the JVM shuts down on a signal: {@link #main} then must not call {@code System.exit}. */
    private static volatile boolean shuttingDown;

    /**
     * Makes SIGINT and SIGTERM stop training gracefully: a shutdown hook interrupts this (the training) thread, which
     * checkpoints the last finished step, marks the run interrupted and returns; the hook waits up to 2 minutes for
     * that. Only the command line does this: a library installs no shutdown hooks.
     *
     * @return closing it removes the hook (when the command has finished)
     */
    static AutoCloseable stopOnSignal() {
        Thread training = Thread.currentThread();
        Thread hook = new Thread(
                () -> {
                    shuttingDown = true;
                    if (training.isAlive()) {
                        training.interrupt();
                        try {
                            training.join(120_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                },
                "camloss-stop-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running
            }
        };
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        int status = run(args);
        if (!shuttingDown) {
            System.exit(status);
        }
    }
}
