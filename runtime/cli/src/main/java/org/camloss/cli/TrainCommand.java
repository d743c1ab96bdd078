package org.camloss.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.config.ExperimentConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code camloss train CONFIG}. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train the experiment a YAML config describes into a new run directory; writes report.html at the "
                        + "end (see 'camloss report').")
final class TrainCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "Experiment config (YAML), or a run's run.json.")
    Path config;

    @Option(
            names = "--set",
            paramLabel = "PATH=VALUE",
            description = "Override one config value, e.g. --set loss.params.alpha=0.5 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--engine",
            paramLabel = "ID",
            description = "Train on this engine, as --set engine.id=ID (e.g. spark; needs camloss-spark on the class "
                    + "path); engine settings with --set engine.params.NAME=VALUE.")
    String engine;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Run directory to create (default runs/<name>-<timestamp>).")
    Path out;

    @Option(names = "--no-progress", description = "No live progress bar.")
    boolean noProgress;

    @Option(
            names = "--no-report",
            description = "Do not write report.html at the end (then 'camloss report RUN_DIR' writes it; the report "
                    + "evaluates the run, writing eval.json, and draws CAMs of up to 500 test images).")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        OptionChecks.notBlank(config, "CONFIG", "give an experiment config (YAML) or a run's run.json");
        OptionChecks.notBlank(out, "--out", "give a directory to create, or drop --out for runs/<name>-<timestamp>");
        OptionChecks.notBlank(
                engine,
                "--engine",
                "give an engine id (e.g. --engine spark), or drop --engine for the config's engine");
        if (engine != null) {
            for (String o : overrides) {
                String path = o.contains("=") ? o.substring(0, o.indexOf('=')).trim() : "";
                if (path.equals("engine") || path.equals("engine.id")) {
                    // --set is applied after --engine and would silently replace it
                    throw new org.camloss.api.UserException("--engine: --set " + o + " also sets the engine and would "
                            + "replace --engine " + engine + "; give the engine once (--engine ID, with "
                            + "--set engine.params.NAME=VALUE for its settings)");
                }
            }
        }
        Camloss camloss = main.camloss();
        List<String> all = new ArrayList<>();
        if (engine != null) {
            all.add("engine.id=" + engine);
        }
        all.addAll(overrides);
        ExperimentConfig cfg = camloss.loadConfig(config, all);
        Camloss.TrainResult result;
        try (AutoCloseable stop = Main.stopOnSignal()) {
            result = camloss.train(
                    cfg, out, Console.reporter(cfg.name(), cfg.train().progress() && !noProgress));
        }
        out().println("run directory: " + result.runDir());
        if (!noReport) {
            writeReport(camloss, result.runDir(), cfg.train().progress() && !noProgress, spec);
        }
        return 0;
    }

    /**
     * Writes the finished run's report.html and prints where; a failure there is a warning (the run is complete), with
     * the command that writes the report later.
     */
    static void writeReport(
            Camloss camloss, Path runDir, boolean progress, picocli.CommandLine.Model.CommandSpec spec) {
        try (TaskProgress bar = new TaskProgress(System.err, System.console() != null, "report")) {
            spec.commandLine()
                    .getOut()
                    .println("report: "
                            + RunReport.write(
                                    camloss,
                                    runDir,
                                    progress ? bar : org.camloss.runtime.explain.ExplainListener.NONE));
        } catch (org.camloss.api.UserException | java.io.UncheckedIOException e) {
            spec.commandLine()
                    .getErr()
                    .println("warning: report.html not written (" + e.getMessage() + "); the run is complete, "
                            + "'camloss report " + runDir + "' writes it");
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
