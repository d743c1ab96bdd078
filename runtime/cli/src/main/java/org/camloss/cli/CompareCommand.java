package org.camloss.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.Comparison;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.run.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code camloss compare CONFIG --seeds N}: cross-entropy against CAM-loss, same recipe, several seeds; with
 * {@code --distillers}, distiller sets; with {@code --regularizers}, regularizer sets, each with cross-entropy and with
 * CAM-loss ({@link RegularizerSets}).
 */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
            "Train the config's recipe with cross-entropy and with CAM-loss (or, with --distillers, with "
                    + "each distiller set; with --regularizers, with each regularizer set, each with cross-entropy and "
                    + "with CAM-loss) for N seeds; print the per-seed rows and mean ± std of every final metric, "
                    + "including epoch_to_95 (first epoch within 95 %% of the final accuracy); writes compare.csv, "
                    + "compare.json, accuracy.png (test accuracy per epoch) and report.html (the tables and the chart in one "
                    + "self-contained page), with --regularizers also table.md."
        })
final class CompareCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "Experiment config (YAML).")
    Path config;

    @Option(
            names = "--seeds",
            description = "Number of seeds (default: ${DEFAULT-VALUE}); seed, seed+1, ...",
            defaultValue = "3")
    int seeds;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a config value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Directory to create (default runs/<name>-compare-<timestamp>).")
    Path out;

    @Option(names = "--no-progress", description = "No live progress bar.")
    boolean noProgress;

    @Option(
            names = "--distillers",
            paramLabel = "SETS",
            split = ",",
            description = "Compare distillation instead of losses: comma-separated distiller sets, each 'none' or ids "
                    + "joined by '+', e.g. none,kd,at,caam-cam,caam-cam+kd (default params; tune them in the config).")
    List<String> distillerSets = new ArrayList<>();

    @Option(
            names = "--regularizers",
            paramLabel = "SETS",
            split = ",",
            description = "Compare regularizers, each with cross-entropy and with CAM-loss: comma-separated sets, each "
                    + "'none' or regularizers joined by '+', a regularizer as ID or ID:param=value[:param=value], e.g. "
                    + "none,mixup,cutmix,cutmix:cam_target=regional,cutout+dropout. A regularizer the config lists keeps "
                    + "the config's params (the others take their defaults); the config's own list is replaced.")
    List<String> regularizerSets = new ArrayList<>();

    @Option(
            names = "--teacher",
            paramLabel = "RUN",
            description = "Teacher run directory or model file for --distillers "
                    + "(default: the config's distill.teacher).")
    String teacher;

    @Option(
            names = "--faithfulness",
            description = "Also measure each run's faithfulness metrics after it trains, as 'eval --faithfulness' "
                    + "(deletion and insertion AUC, average drop, increase in confidence) on the first "
                    + "--faithfulness-limit test images; they become columns <method>_deletion_auc and so on.")
    boolean faithfulness;

    @Option(
            names = {"--method", "-m"},
            paramLabel = "ID",
            split = ",",
            description = "With --faithfulness: the CAM methods (default: cam,caam).")
    List<String> faithfulnessMethods = new ArrayList<>();

    @Option(
            names = "--faithfulness-limit",
            paramLabel = "N",
            defaultValue = "500",
            description = "With --faithfulness: the first N test images (0: all; default: ${DEFAULT-VALUE}).")
    int faithfulnessLimit;

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "32",
            description = "With --faithfulness: steps of the deletion and insertion games (default: ${DEFAULT-VALUE}).")
    int steps;

    @Override
    public Integer call() {
        if (seeds < 1 || seeds > 1000) {
            throw new org.camloss.api.UserException("--seeds: must be in [1, 1000], found " + seeds);
        }
        OptionChecks.notBlank(config, "CONFIG", "give an experiment config (YAML)");
        OptionChecks.notBlank(out, "--out", "give a directory to create, or drop --out for the default");
        OptionChecks.notBlank(teacher, "--teacher", "give the teacher's run directory or model file");
        // options that would be silently ignored: each names what it needs
        OptionChecks.onlyWithFaithfulness(spec, faithfulness, "--method", "--faithfulness-limit", "--steps");
        OptionChecks.onlyWhen(
                spec,
                !distillerSets.isEmpty(),
                "only with --distillers (the teacher of the distiller sets; the other comparisons train no student)",
                "add --distillers SETS",
                "--teacher");
        OptionChecks.methodIds(spec, faithfulnessMethods, "cam,caam");
        org.camloss.runtime.explain.EvalFaithfulness faith = null;
        if (faithfulness) {
            if (faithfulnessLimit < 0) {
                throw new org.camloss.api.UserException(
                        "--faithfulness-limit: must be 0 (all) or positive, found " + faithfulnessLimit);
            }
            faith = new org.camloss.runtime.explain.EvalFaithfulness(
                    faithfulnessMethods,
                    faithfulnessLimit,
                    ExplainCommand.faithfulnessOptions(
                            steps,
                            org.camloss.runtime.explain.FaithfulnessOptions.DEFAULT
                                    .deletionBaseline()
                                    .id(),
                            org.camloss.runtime.explain.FaithfulnessOptions.DEFAULT
                                    .insertionBaseline()
                                    .id()));
        }
        Camloss camloss = main.camloss();
        ExperimentConfig base = camloss.loadConfig(config, overrides);
        List<Long> seedList = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            seedList.add(base.seed() + i);
        }
        if (!regularizerSets.isEmpty() && !distillerSets.isEmpty()) {
            throw new org.camloss.api.UserException(
                    "--regularizers and --distillers cannot be combined; compare one of them at a time");
        }
        List<RegularizerSets.Set> sets =
                regularizerSets.isEmpty() ? List.of() : RegularizerSets.parse(regularizerSets, camloss.registry());
        checkDistillerSets(distillerSets, camloss.registry());
        List<Comparison.Variant> variants = !sets.isEmpty()
                ? RegularizerSets.variants(sets, base)
                : distillerSets.isEmpty() ? lossVariants(base) : distillerVariants(base);
        Path dir = out != null ? out : Path.of("runs", RunDirectory.stamped(base.name() + "-compare"));
        Comparison c = camloss.compare(
                base,
                variants,
                seedList,
                dir,
                faith,
                Console.reporter(base.name(), base.train().progress() && !noProgress));
        ComparisonChart.write(c, dir.resolve("accuracy.png"), base.name() + ": test accuracy per epoch");
        ComparisonReport.write(camloss, c, dir, base.name(), dir.resolve("accuracy.png"));
        var out = spec.commandLine().getOut();
        out.println();
        out.println("per seed:");
        for (Map<String, Object> row : c.rows()) {
            out.printf(
                    Locale.ROOT,
                    "  %-16s seed %-4s test_accuracy %.4f  test_cam_loss %.4f  epoch_to_95 %s%n",
                    row.get("variant"),
                    row.get("seed"),
                    num(row.get("test_accuracy")),
                    num(row.get("test_cam_loss")),
                    row.get(Comparison.EPOCH_TO_95));
        }
        out.println();
        out.println("mean ± std over " + seeds + " seed" + (seeds == 1 ? "" : "s") + ":");
        if (sets.isEmpty()) {
            out.print(c.table());
            out.println("written: " + dir.resolve("compare.csv") + ", " + dir.resolve("compare.json") + ", "
                    + dir.resolve("accuracy.png") + ", " + dir.resolve(RunReport.FILE));
            return 0;
        }
        String table = RegularizerSets.table(c, sets, RegularizerSets.losses(base));
        out.print(table);
        RegularizerSets.writeTable(dir.resolve("table.md"), table);
        out.println("written: " + dir.resolve("compare.csv") + ", " + dir.resolve("compare.json") + ", "
                + dir.resolve("table.md") + ", " + dir.resolve("accuracy.png") + ", " + dir.resolve(RunReport.FILE));
        return 0;
    }

    static List<Comparison.Variant> lossVariants(ExperimentConfig base) {
        String camId = base.loss().id().equals("cross-entropy")
                ? "cam-loss"
                : base.loss().id();
        return List.of(
                new Comparison.Variant("cross-entropy", List.of("loss.id=cross-entropy")),
                new Comparison.Variant(
                        camId, base.loss().id().equals("cross-entropy") ? List.of("loss.id=cam-loss") : List.of()));
    }

    private static final String DISTILLER_EXAMPLE = "e.g. none,kd,at,caam-cam,caam-cam+kd";

    /**
     * Checks the {@code --distillers} sets before anything trains: no empty set or empty id, {@code none} only on its
     * own, every id an installed distiller, no set twice (two variants of one name would collide when the comparison
     * is written).
     *
     * @throws org.camloss.api.UserException naming {@code --distillers}, the set and the problem
     */
    static void checkDistillerSets(List<String> texts, org.camloss.runtime.registry.PluginRegistry registry) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (String raw : texts) {
            String set = raw.trim();
            if (set.isEmpty()) {
                throw new org.camloss.api.UserException("--distillers: an empty set; give sets, " + DISTILLER_EXAMPLE);
            }
            if (!set.equals("none")) {
                for (String part : set.split("\\+", -1)) {
                    String id = part.trim();
                    if (id.isEmpty()) {
                        throw new org.camloss.api.UserException("--distillers: an empty distiller in set '" + set
                                + "'; join ids with '+', " + DISTILLER_EXAMPLE);
                    }
                    if (id.equals("none")) {
                        throw new org.camloss.api.UserException("--distillers: 'none' cannot be combined with "
                                + "distillers, in set '" + set + "'; give none as a set of its own");
                    }
                    if (registry.find(org.camloss.runtime.registry.PluginKind.DISTILLER, id)
                            .isEmpty()) {
                        throw new org.camloss.api.UserException("--distillers: set '" + set + "': "
                                + registry.unknownIdMessage(org.camloss.runtime.registry.PluginKind.DISTILLER, id));
                    }
                }
            }
            if (!names.add(set.replace('+', '_').replace(" ", ""))) {
                throw new org.camloss.api.UserException("--distillers: set '" + set + "' is given twice");
            }
        }
    }

    private List<Comparison.Variant> distillerVariants(ExperimentConfig base) {
        String t =
                teacher != null ? teacher : base.distill().map(d -> d.teacher()).orElse(null);
        List<Comparison.Variant> out = new ArrayList<>();
        for (String set : distillerSets) {
            String name = set.trim();
            List<String> sets = new ArrayList<>();
            sets.add("distill=");
            if (!name.equals("none")) {
                if (t == null) {
                    throw new org.camloss.api.UserException("--distillers " + name
                            + ": needs a teacher; give --teacher RUN or distill.teacher in the config");
                }
                sets.add("distill.teacher=" + t);
                String[] ids = name.split("\\+");
                for (int i = 0; i < ids.length; i++) {
                    sets.add("distill.distillers." + i + ".id=" + ids[i].trim());
                }
            }
            out.add(new Comparison.Variant(name.replace('+', '_'), sets));
        }
        return out;
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
