package org.camloss.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.camloss.runtime.Camloss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code camloss resume RUN_DIR}. */
@Command(
        name = "resume",
        mixinStandardHelpOptions = true,
        description = "Continue an interrupted or failed run from its newest checkpoint, in its own directory (the "
                + "same data order, augmentation and regularizer draws as the uninterrupted run); writes report.html at the "
                + "end.")
final class ResumeCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory written by 'camloss train'.")
    Path runDir;

    @Option(names = "--no-progress", description = "No live progress bar.")
    boolean noProgress;

    @Option(names = "--no-report", description = "Do not write report.html when the run finishes.")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        OptionChecks.notBlank(runDir, "RUN_DIR", "give a run directory written by 'camloss train'");
        Camloss camloss = main.camloss();
        Camloss.TrainResult result;
        try (AutoCloseable stop = Main.stopOnSignal()) {
            result =
                    camloss.resume(runDir, Console.reporter(runDir.getFileName().toString(), !noProgress));
        }
        spec.commandLine().getOut().println("run directory: " + result.runDir());
        if (!noReport) {
            TrainCommand.writeReport(camloss, result.runDir(), !noProgress, spec);
        }
        return 0;
    }
}
