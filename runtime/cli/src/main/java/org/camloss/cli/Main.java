package org.camloss.cli;

import java.io.PrintWriter;
import org.camloss.api.UserException;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.train.TrainingFailedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code camloss} command line. Exit status: 0 success, 2 bad input (config, data, run directory,
 * arguments) with one message and no stack trace, 1 a failed run.
 */
@Command(name = "camloss", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train image classifiers with CAM-loss (Wang et al., ICCV 2021) on DL4J, and look at their "
                + "class activation maps.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, CompareCommand.class, BenchCommand.class, PluginsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the CLI and returns the exit status (never exits the JVM). */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
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
            if (ex instanceof UserException ue) {
                e.println("error: " + ue.getMessage());
                return 2;
            }
            if (ex instanceof TrainingFailedException tf) {
                e.println("error: " + tf.getMessage());
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

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }
}
