package org.camloss.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.camloss.runtime.explain.ExplainListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code camloss report RUN_DIR}: the run's {@code report.html}. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Write RUN_DIR/report.html, one self-contained page (works offline, no scripts): config and "
                + "provenance, curves from metrics.jsonl, confusion matrix and per-class accuracy (evaluating the run "
                + "first when it has no eval.json), a CAM gallery of the most and least confident test images with "
                + "CAAM and true-class CAM, and the localisation and faithfulness tables (eval --faithfulness).")
final class ReportCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory written by 'camloss train'.")
    Path runDir;

    @Option(names = "--no-progress", description = "No progress bar or progress lines.")
    boolean noProgress;

    @Override
    public Integer call() {
        OptionChecks.notBlank(runDir, "RUN_DIR", "give a run directory written by 'camloss train'");
        Path file;
        try (TaskProgress progress = new TaskProgress(System.err, System.console() != null, "report")) {
            file = RunReport.write(main.camloss(), runDir, noProgress ? ExplainListener.NONE : progress);
        }
        spec.commandLine().getOut().println("written: " + file);
        return 0;
    }
}
