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

    @picocli.CommandLine.Option(
            names = "--faithfulness",
            description = "Also measure the faithfulness of CAM maps for the predicted class on the first test images: "
                    + "deletion and insertion AUC (Petsiuk et al. 2018), average drop and increase in confidence "
                    + "(Chattopadhay et al. 2018); added to eval.json as 'faithfulness'.")
    boolean faithfulness;

    @picocli.CommandLine.Option(
            names = {"--method", "-m"},
            paramLabel = "ID",
            split = ",",
            description = "With --faithfulness: the CAM methods (default: cam,caam; any of 'camloss explain').")
    java.util.List<String> methods = new java.util.ArrayList<>();

    @picocli.CommandLine.Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "500",
            description = "With --faithfulness: the first N test images (0: all; default: ${DEFAULT-VALUE}).")
    int limit;

    @picocli.CommandLine.Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "32",
            description = "With --faithfulness: steps of the deletion and insertion games (default: ${DEFAULT-VALUE}).")
    int steps;

    @picocli.CommandLine.Option(
            names = "--deletion-baseline",
            paramLabel = "constant|blur",
            defaultValue = "constant",
            description = "With --faithfulness: what deleted pixels become (default: ${DEFAULT-VALUE}).")
    String deletionBaseline;

    @picocli.CommandLine.Option(
            names = "--insertion-baseline",
            paramLabel = "blur|constant",
            defaultValue = "blur",
            description = "With --faithfulness: what insertion starts from (default: ${DEFAULT-VALUE}).")
    String insertionBaseline;

    @picocli.CommandLine.Option(names = "--no-progress", description = "No progress bar or progress lines.")
    boolean noProgress;

    @Override
    public Integer call() {
        Camloss.ModelChoice which =
                switch (model) {
                    case "last" -> Camloss.ModelChoice.LAST;
                    case "best" -> Camloss.ModelChoice.BEST;
                    default -> throw new org.camloss.api.UserException(
                            "--model: must be one of [best, last], found '" + model + "'");
                };
        OptionChecks.notBlank(runDir, "RUN_DIR", "give a run directory written by 'camloss train'");
        // these options set the faithfulness measurement: without --faithfulness nothing would use them
        OptionChecks.onlyWithFaithfulness(
                spec, faithfulness, "--method", "--limit", "--steps", "--deletion-baseline", "--insertion-baseline");
        OptionChecks.methodIds(spec, methods, "cam,caam");
        org.camloss.runtime.explain.EvalFaithfulness faith = null;
        if (faithfulness) {
            if (limit < 0) {
                throw new org.camloss.api.UserException("--limit: must be 0 (all) or positive, found " + limit);
            }
            faith = new org.camloss.runtime.explain.EvalFaithfulness(
                    methods, limit, ExplainCommand.faithfulnessOptions(steps, deletionBaseline, insertionBaseline));
        }
        Camloss.EvalReport report;
        try (TaskProgress progress = new TaskProgress(System.err, System.console() != null, "eval")) {
            report = main.camloss()
                    .evaluate(
                            runDir,
                            which,
                            faith,
                            noProgress ? org.camloss.runtime.explain.ExplainListener.NONE : progress);
        }
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
        report.faithfulness().ifPresent(this::printFaithfulness);
        out().println("eval.json written to " + report.runDir().resolve("eval.json"));
        return 0;
    }

    @SuppressWarnings("unchecked")
    private void printFaithfulness(java.util.Map<String, Object> f) {
        out().printf(
                        Locale.ROOT,
                        "faithfulness (%s test images, predicted class, layer %s, %s steps, deletion to %s, insertion from %s):%n",
                        f.get("images"),
                        f.get("layer"),
                        f.get("steps"),
                        f.get("deletion_baseline"),
                        f.get("insertion_baseline"));
        out().printf(
                        Locale.ROOT,
                        "  %-20s %9s %9s %9s %9s%n",
                        "method",
                        "deletion",
                        "insertion",
                        "avg drop",
                        "increase");
        ((java.util.Map<String, Object>) f.get("methods")).forEach((id, v) -> {
            java.util.Map<String, Object> m = (java.util.Map<String, Object>) v;
            out().printf(
                            Locale.ROOT,
                            "  %-20s %9.4f %9.4f %8.2f%% %8.2f%%%n",
                            id,
                            ((Number) m.get("deletion_auc")).doubleValue(),
                            ((Number) m.get("insertion_auc")).doubleValue(),
                            ((Number) m.get("average_drop")).doubleValue(),
                            ((Number) m.get("increase_in_confidence")).doubleValue());
        });
        out().println("  (deletion AUC: lower is better; insertion AUC: higher; average drop: lower; increase in "
                + "confidence: higher)");
    }

    private static String abbreviate(String name) {
        return name.length() <= 6 ? name : name.substring(0, 6);
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
