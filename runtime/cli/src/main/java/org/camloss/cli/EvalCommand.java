package org.camloss.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.eval.EvalResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code camloss eval RUN_DIR}. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate a finished run's model on its test split; writes eval.json into the run directory.")
final class EvalCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory written by 'camloss train'.")
    Path runDir;

    @picocli.CommandLine.Option(
            names = "--model",
            paramLabel = "best|last",
            description = "last: model.zip, the last epoch's (default); best: model-best.zip, the best epoch's by "
                    + "train.early_stopping's metric or val_accuracy (writes eval-best.json).",
            defaultValue = "last")
    String model;

    @Override
    public Integer call() {
        Camloss.ModelChoice which =
                switch (model) {
                    case "last" -> Camloss.ModelChoice.LAST;
                    case "best" -> Camloss.ModelChoice.BEST;
                    default -> throw new org.camloss.api.UserException(
                            "--model: must be one of [best, last], found '" + model + "'");
                };
        Camloss.EvalReport report = main.camloss().evaluate(runDir, which);
        EvalResult r = report.result();
        out().printf(Locale.ROOT, "run          %s%n", report.runDir());
        out().printf(Locale.ROOT, "examples     %d%n", r.count());
        out().printf(Locale.ROOT, "top-1        %.4f%n", r.accuracy());
        out().printf(Locale.ROOT, "top-5        %.4f%n", r.top5());
        out().printf(Locale.ROOT, "mean CE      %.4f%n", r.crossEntropy());
        out().printf(Locale.ROOT, "CAM-loss     %.4f%n", r.camLoss());
        r.localizationSummary().ifPresent(l -> {
            out().printf(
                            Locale.ROOT,
                            "pointing     CAAM %.4f   CAM %.4f%n",
                            l.caam().pointing(),
                            l.cam().pointing());
            out().printf(
                            Locale.ROOT,
                            "energy       CAAM %.4f   CAM %.4f%n",
                            l.caam().energy(),
                            l.cam().energy());
            out().printf(
                            Locale.ROOT,
                            "IoU@0.5      CAAM %.4f   CAM %.4f%n",
                            l.caam().iou(),
                            l.cam().iou());
        });
        out().println("per-class accuracy:");
        for (int i = 0; i < r.classes().size(); i++) {
            out().printf(Locale.ROOT, "  %-12s %.4f%n", r.classes().get(i), r.perClass()[i]);
        }
        out().println("confusion matrix (rows: true class, columns: predicted):");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-12s", ""));
        for (int j = 0; j < r.classes().size(); j++) {
            head.append(String.format(Locale.ROOT, "%7s", abbreviate(r.classes().get(j))));
        }
        out().println(head);
        for (int i = 0; i < r.classes().size(); i++) {
            StringBuilder row = new StringBuilder(
                    String.format(Locale.ROOT, "  %-12s", r.classes().get(i)));
            for (int j = 0; j < r.classes().size(); j++) {
                row.append(String.format(Locale.ROOT, "%7d", r.confusion()[i][j]));
            }
            out().println(row);
        }
        out().println("eval.json written to " + report.runDir().resolve("eval.json"));
        return 0;
    }

    private static String abbreviate(String name) {
        return name.length() <= 6 ? name : name.substring(0, 6);
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
