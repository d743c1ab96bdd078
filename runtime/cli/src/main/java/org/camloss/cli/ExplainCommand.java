package org.camloss.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.camloss.api.UserException;
import org.camloss.runtime.explain.Baseline;
import org.camloss.runtime.explain.ExplainListener;
import org.camloss.runtime.explain.ExplainRequest;
import org.camloss.runtime.explain.ExplainResult;
import org.camloss.runtime.explain.FaithfulnessOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code camloss explain MODEL --images ... | --data SPLIT}: class activation maps of any image, with any method. */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Class activation maps of images for a camloss run, a camloss model file or a plain DL4J graph: every "
                    + "chosen CAM method at the chosen layer, PNG overlays (one per image and method) and a grid, the "
                    + "raw maps in maps.npz and everything else in explain.json; with --faithfulness the deletion and "
                    + "insertion AUC, average drop and increase in confidence, and with masks the pointing game, "
                    + "energy and IoU. Writes a new directory, whole or not at all.",
            "Methods: cam, caam, grad-cam, grad-cam-plus-plus (also grad-cam++), score-cam, layer-cam, and any "
                    + "plugin's ('camloss plugins')."
        })
final class ExplainCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "MODEL",
            description = "A run directory, a camloss model.zip, or a DL4J ComputationGraph file (with --logits).")
    Path model;

    @Option(
            names = "--images",
            paramLabel = "FILE|DIR",
            arity = "1..*",
            description = "Image files (PNG, JPEG) or directories searched recursively (names starting with '.' "
                    + "skipped, other files ignored); resized to the model's input size.")
    List<Path> images = new ArrayList<>();

    @Option(
            names = "--data",
            paramLabel = "SPLIT",
            description = "Explain a split of the run's data (or of --dataset): test, train or validation.")
    String split;

    @Option(names = "--dataset", paramLabel = "ID", description = "Another dataset plugin for --data.")
    String dataset;

    @Option(names = "--data-param", paramLabel = "NAME=VALUE", description = "A parameter of --dataset (repeatable).")
    List<String> dataParams = new ArrayList<>();

    @Option(
            names = "--limit",
            paramLabel = "N",
            description =
                    "Only the first N images (files in argument order, a directory's sorted by path; default: all).")
    int limit;

    @Option(
            names = "--masks",
            paramLabel = "DIR",
            description = "Object masks for --images, at the same path below DIR as each image below its --images "
                    + "directory (any extension; non-zero pixels are the object; the image's size).")
    Path masks;

    @Option(
            names = {"--method", "-m"},
            paramLabel = "ID",
            split = ",",
            description = "CAM methods, comma-separated or repeated, or 'all' (default: cam where the layer has a "
                    + "global average pooling + linear head, else grad-cam).")
    List<String> methods = new ArrayList<>();

    @Option(
            names = "--method-param",
            paramLabel = "ID.NAME=VALUE",
            description = "A method's parameter, e.g. score-cam.weighting=channel-softmax (repeatable).")
    List<String> methodParams = new ArrayList<>();

    @Option(
            names = "--layer",
            paramLabel = "NAME",
            description = "The layer to explain: any vertex with a 4-D output (default: the map the head pools).")
    String layer;

    @Option(
            names = "--target",
            paramLabel = "pred|true|K",
            defaultValue = "pred",
            description = "The class each map is for: pred (the model's top class, default), true (the label; --data "
                    + "only), or a class index or name.")
    String target;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Directory to create (default: RUN_DIR/explain-<time>, or ./explain-<time> for a model file).")
    Path out;

    @Option(
            names = "--model",
            paramLabel = "best|last",
            defaultValue = "last",
            description = "For a run: model.zip (last, default) or model-best.zip (best).")
    String which;

    @Option(
            names = "--logits",
            paramLabel = "NAME",
            description = "Plain DL4J graph: the dense or output layer whose input x gives the logits x·W + b.")
    String logits;

    @Option(
            names = "--features",
            paramLabel = "NAME",
            description = "Plain DL4J graph: the 4-D map whose global average is that input (default: found from a "
                    + "global average pooling layer).")
    String features;

    @Option(
            names = "--format",
            paramLabel = "NHWC|NCHW",
            description = "Plain DL4J graph: its image layout (default NHWC).")
    String format;

    @Option(
            names = "--input-shape",
            paramLabel = "HxWxC",
            description = "Model file: the input size, e.g. 28x28x1 (a run knows its own).")
    String inputShape;

    @Option(
            names = "--mean",
            paramLabel = "V",
            split = ",",
            description = "--images: per-channel mean after /255 (default: the run's data; 0 for a model file).")
    List<Double> mean = new ArrayList<>();

    @Option(
            names = "--std",
            paramLabel = "V",
            split = ",",
            description = "--images: per-channel std after /255 (default: the run's data; 1 for a model file).")
    List<Double> std = new ArrayList<>();

    @Option(
            names = "--faithfulness",
            description = "Also measure deletion and insertion AUC (Petsiuk et al. 2018), average drop and increase "
                    + "in confidence (Chattopadhay et al. 2018).")
    boolean faithfulness;

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "32",
            description = "Steps of the deletion and insertion games (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--deletion-baseline",
            paramLabel = "constant|blur",
            defaultValue = "constant",
            description = "What deleted pixels become: constant (the data's mean) or blur (default: ${DEFAULT-VALUE}).")
    String deletionBaseline;

    @Option(
            names = "--insertion-baseline",
            paramLabel = "blur|constant",
            defaultValue = "blur",
            description = "What insertion starts from (default: ${DEFAULT-VALUE}).")
    String insertionBaseline;

    @Option(names = "--no-overlays", description = "No PNG overlay per image and method (the grid is still drawn).")
    boolean noOverlays;

    @Option(
            names = "--grid-rows",
            paramLabel = "N",
            defaultValue = "16",
            description = "Images in grid.png (0: none; default: ${DEFAULT-VALUE}).")
    int gridRows;

    @Option(
            names = "--scale",
            paramLabel = "N",
            defaultValue = "0",
            description = "Enlargement of the overlays (default: so that their longer side is at least 112 pixels).")
    int scale;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "64",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--no-progress", description = "No progress bar or progress lines.")
    boolean noProgress;

    @Override
    public Integer call() {
        boolean best =
                switch (which) {
                    case "last" -> false;
                    case "best" -> true;
                    default -> throw new UserException("--model: must be one of [best, last], found '" + which + "'");
                };
        checkCombinations();
        ExplainRequest.Builder b = ExplainRequest.builder(model)
                .best(best)
                .graph(logits, features, format == null ? null : format.toUpperCase(Locale.ROOT))
                .inputShape(inputShape)
                .normalization(mean, std)
                .images(images)
                .data(split, dataset, dataParams)
                .limit(limit)
                .masks(masks)
                .methods(methods, methodParams)
                .layer(layer)
                .target(target)
                .out(out)
                .overlays(!noOverlays)
                .gridRows(gridRows)
                .scale(scale)
                .batchSize(batch);
        if (faithfulness) {
            b.faithfulness(faithfulnessOptions(steps, deletionBaseline, insertionBaseline));
        }
        ExplainResult r;
        try (TaskProgress progress = new TaskProgress(System.err, System.console() != null, "explain")) {
            r = main.camloss().explain(b.build(), noProgress ? ExplainListener.NONE : progress);
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                Locale.ROOT,
                "%d images, layer %s (%dx%d maps), methods %s, %.1f s%n",
                r.images().size(),
                r.layer(),
                r.mapHeight(),
                r.mapWidth(),
                String.join(", ", r.methods()),
                seconds(r.json()));
        printSummary(o, r);
        o.println("written: " + r.out());
        return 0;
    }

    /**
     * Refuses empty values and options that would be silently ignored in this combination (before any model is
     * loaded), each with one message naming the option and what to do instead.
     */
    private void checkCombinations() {
        OptionChecks.notBlank(model, "MODEL", "give a run directory, a camloss model.zip or a DL4J graph file");
        for (Path p : images) {
            OptionChecks.notBlank(p, "--images", "give image files or directories");
        }
        OptionChecks.notBlank(masks, "--masks", "give the directory of the object masks");
        OptionChecks.notBlank(out, "--out", "give a directory to create, or drop --out for the default");
        if (split != null && split.isBlank()) {
            throw new UserException("--data: must be test, train or validation, found '" + split + "'");
        }
        OptionChecks.notBlank(dataset, "--dataset", "give a dataset plugin id ('camloss plugins' lists them)");
        OptionChecks.notBlank(layer, "--layer", "give a layer name, or drop --layer for the map the head pools");
        OptionChecks.notBlank(logits, "--logits", "give the graph's dense or output layer that makes the logits");
        OptionChecks.notBlank(features, "--features", "give the graph's 4-D map, or drop --features to find it");
        OptionChecks.notBlank(inputShape, "--input-shape", "give HxWxC, e.g. 28x28x1");
        OptionChecks.methodIds(spec, methods, "the default");
        if (format != null && !List.of("NHWC", "NCHW").contains(format.toUpperCase(Locale.ROOT))) {
            throw new UserException("--format: must be NHWC or NCHW, found '" + format + "'");
        }
        OptionChecks.onlyWhen(
                spec,
                faithfulness,
                "only with --faithfulness (it sets the deletion and insertion games, which run only then)",
                "add --faithfulness",
                "--steps",
                "--deletion-baseline",
                "--insertion-baseline");
        OptionChecks.onlyWhen(
                spec,
                !noOverlays,
                "enlarges the PNG overlays, which --no-overlays turns off (grid.png has its own size)",
                "drop --no-overlays",
                "--scale");
        if (java.nio.file.Files.isDirectory(model)) {
            OptionChecks.onlyWhen(
                    spec,
                    false,
                    "only for a model file; MODEL " + model + " is a run directory, which knows its model's input, "
                            + "layout and head",
                    "give a model file as MODEL",
                    "--logits",
                    "--features",
                    "--format",
                    "--input-shape");
        } else if (java.nio.file.Files.isRegularFile(model)) {
            OptionChecks.onlyWhen(
                    spec,
                    false,
                    "only for a run directory (its model.zip or model-best.zip); MODEL " + model + " is a model file",
                    "give the run directory as MODEL",
                    "--model");
        }
        // image files are normalised by --mean/--std; a dataset split by its dataset, drawn from --dataset's params
        OptionChecks.onlyWhen(
                spec,
                split != null || images.isEmpty(),
                "only with --data SPLIT (image files are not drawn from a dataset)",
                "use --data SPLIT instead of --images",
                "--dataset",
                "--data-param");
        OptionChecks.onlyWhen(
                spec,
                dataset != null,
                "only with --dataset ID (a run's own data keeps the run's parameters)",
                "add --dataset ID",
                "--data-param");
        OptionChecks.onlyWhen(
                spec,
                !images.isEmpty() || split == null,
                "only with --images (a dataset split is normalised as its dataset says)",
                "use --images instead of --data",
                "--mean",
                "--std");
    }

    /** The faithfulness settings from command-line values, with messages naming the option. */
    static FaithfulnessOptions faithfulnessOptions(int steps, String deletion, String insertion) {
        if (steps < 1 || steps > 10_000) {
            throw new UserException("--steps: must be in [1, 10000], found " + steps);
        }
        return new FaithfulnessOptions(
                steps, baseline("--deletion-baseline", deletion), baseline("--insertion-baseline", insertion));
    }

    private static Baseline baseline(String option, String value) {
        for (Baseline b : Baseline.values()) {
            if (b.id().equals(value)) {
                return b;
            }
        }
        throw new UserException(option + ": must be one of [constant, blur], found '" + value + "'");
    }

    private static double seconds(Map<String, Object> json) {
        return json.get("seconds") instanceof Map<?, ?> m && m.get("total") instanceof Number n ? n.doubleValue() : 0;
    }

    /** One line per method with what was measured. */
    static void printSummary(PrintWriter o, ExplainResult r) {
        boolean faith = r.summary().values().stream().anyMatch(ExplainResult.Summary::hasFaithfulness);
        boolean loc = r.summary().values().stream().anyMatch(ExplainResult.Summary::hasLocalization);
        if (!faith && !loc) {
            return;
        }
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-20s", "method"));
        if (faith) {
            head.append(
                    String.format(Locale.ROOT, " %9s %9s %9s %9s", "deletion", "insertion", "avg drop", "increase"));
        }
        if (loc) {
            head.append(String.format(Locale.ROOT, " %8s %8s %8s", "pointing", "energy", "IoU"));
        }
        o.println(head);
        for (String id : r.methods()) {
            ExplainResult.Summary s = r.summary().get(id);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-20s", id));
            if (faith) {
                line.append(String.format(
                        Locale.ROOT,
                        " %9.4f %9.4f %8.2f%% %8.2f%%",
                        s.deletionAuc(),
                        s.insertionAuc(),
                        s.averageDrop(),
                        s.increaseInConfidence()));
            }
            if (loc) {
                line.append(String.format(Locale.ROOT, " %8.4f %8.4f %8.4f", s.pointing(), s.energy(), s.iou()));
            }
            o.println(line);
        }
        if (faith) {
            o.println("(deletion AUC: lower is better; insertion AUC: higher; average drop: lower; increase in "
                    + "confidence: higher)");
        }
    }
}
