package org.camloss.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.camloss.api.UserException;
import org.camloss.runtime.fewshot.FewShotListener;
import org.camloss.runtime.fewshot.FewShotMethod;
import org.camloss.runtime.fewshot.FewShotRequest;
import org.camloss.runtime.fewshot.FewShotResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code camloss fewshot RUN_DIR}: N-way K-shot episodes on a finished run's frozen features. */
@Command(
        name = "fewshot",
        mixinStandardHelpOptions = true,
        description = {
            "Few-shot evaluation of a finished run's frozen features: extract the backbone's pooled features of every "
                    + "image of the chosen classes once, draw class-balanced N-way K-shot episodes from --seed, "
                    + "classify each episode's queries from its support set, and print the mean accuracy ± 95 %% "
                    + "confidence interval (1.96 std / sqrt(episodes)) per classifier, ways and shots. Writes "
                    + "fewshot.json into the run directory (fewshot-2.json, ... when it exists; never replaces a file) "
                    + "or to --out."
        })
final class FewShotCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A finished run directory (its model.zip).")
    Path runDir;

    @Option(
            names = "--data",
            paramLabel = "ID",
            description = "Dataset plugin (default: the run's own, with its parameters).")
    String data;

    @Option(
            names = "--data-param",
            paramLabel = "NAME=VALUE",
            description =
                    "A parameter of the dataset plugin, parsed as YAML like --set (repeatable); for the run's own "
                            + "dataset it overrides the run's value, otherwise the plugin's default; NAME= with no "
                            + "value takes the plugin's default.")
    Map<String, String> dataParams = new LinkedHashMap<>();

    @Option(
            names = "--classes",
            paramLabel = "LIST",
            split = ",",
            description = "Classes to draw episodes from, by label or name, e.g. 5,6,7,8,9 (default: every class).")
    List<String> classes;

    @Option(
            names = "--split",
            paramLabel = "test|train",
            description = "Split of the data (default: ${DEFAULT-VALUE}).",
            defaultValue = "test")
    String split;

    @Option(
            names = "--ways",
            paramLabel = "N",
            split = ",",
            description = "Classes per episode, one or more (default: 5).")
    List<Integer> ways = new ArrayList<>(List.of(5));

    @Option(
            names = "--shots",
            paramLabel = "K",
            split = ",",
            description = "Support images per class, one or more (default: 1,5).")
    List<Integer> shots = new ArrayList<>(List.of(1, 5));

    @Option(
            names = "--queries",
            paramLabel = "Q",
            description = "Query images per class and episode (default: ${DEFAULT-VALUE}).",
            defaultValue = "15")
    int queries;

    @Option(
            names = "--episodes",
            paramLabel = "E",
            description = "Episodes per setting (default: ${DEFAULT-VALUE}).",
            defaultValue = "600")
    int episodes;

    @Option(
            names = "--classifier",
            paramLabel = "IDS",
            split = ",",
            description = "prototype (nearest class mean, euclidean), prototype-cosine, logistic (linear softmax "
                    + "trained on the support set, Chen et al. 2019's Baseline: 100 full-batch Adam steps, lr 0.01, "
                    + "L2 0.001, from zero) or nearest (1-NN); several comma-separated ones share the episodes "
                    + "(default: prototype).")
    List<String> classifiers = new ArrayList<>(List.of("prototype"));

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed of the episodes (default: ${DEFAULT-VALUE}); same seed, same episodes.",
            defaultValue = "0")
    long seed;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Results file to create (refused if it exists; default: fewshot.json in the run directory, "
                    + "or the first free fewshot-N.json).")
    Path out;

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Images per forward pass while extracting (default: ${DEFAULT-VALUE}).",
            defaultValue = "256")
    int batch;

    @Option(names = "--no-progress", description = "No live progress bar.")
    boolean noProgress;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Override
    public Integer call() {
        OptionChecks.notBlank(runDir, "RUN_DIR", "give a finished run directory");
        OptionChecks.notBlank(
                out, "--out", "give a results file to create, or drop --out for the run directory's fewshot.json");
        FewShotRequest.Split which =
                switch (split) {
                    case "test" -> FewShotRequest.Split.TEST;
                    case "train" -> FewShotRequest.Split.TRAIN;
                    default -> throw new UserException("--split: must be one of [test, train], found '" + split + "'");
                };
        List<FewShotMethod> methods = new ArrayList<>();
        for (String c : classifiers) {
            FewShotMethod m = FewShotMethod.of(c.trim());
            if (!methods.contains(m)) {
                methods.add(m);
            }
        }
        FewShotRequest.Builder request = FewShotRequest.builder(runDir)
                .data(data)
                .split(which)
                .ways(ways)
                .shots(shots)
                .queries(queries)
                .episodes(episodes)
                .classifiers(methods)
                .seed(seed)
                .out(out)
                .batchSize(batch);
        if (classes != null) {
            request.classes(classes);
        }
        dataParams.forEach((k, v) -> request.dataParam(k, yaml(k, v)));
        FewShotResult result = main.camloss().fewShot(request.build(), new Progress(System.err, live()));
        print(result);
        return 0;
    }

    private boolean live() {
        return !noProgress && System.console() != null;
    }

    /** A {@code --data-param} value parsed as YAML, as {@code --set} parses values. */
    private static Object yaml(String name, String value) {
        if (value.isBlank()) {
            return null;
        }
        try {
            return YAML.readValue(value, Object.class);
        } catch (JsonProcessingException e) {
            throw new UserException(
                    "--data-param " + name + ": cannot parse '" + value + "' as YAML (" + e.getOriginalMessage() + ")");
        }
    }

    private void print(FewShotResult r) {
        PrintWriter o = spec.commandLine().getOut();
        Map<String, Object> protocol = section(r.json(), "protocol");
        o.printf(Locale.ROOT, "run        %s (model.zip sha256 %s)%n", r.runDir(), r.modelSha256());
        o.printf(
                Locale.ROOT,
                "data       %s, %s split: %d images of %d classes %s%n",
                r.dataset(),
                r.split(),
                r.images(),
                r.classes().size(),
                r.classes().stream()
                        .map(c -> c.label() + " " + c.name() + " (" + c.images() + ")")
                        .toList());
        o.printf(
                Locale.ROOT,
                "features   %d per image (global average of the last feature map), extracted in %.1f s%n",
                r.featureDim(),
                r.extractionSeconds());
        o.printf(
                Locale.ROOT,
                "episodes   %s per setting, %s queries per class, seed %s; all settings in %.2f s%n",
                protocol.get("episodes"),
                protocol.get("queries"),
                protocol.get("seed"),
                r.episodeSeconds());
        o.println();
        o.printf(
                Locale.ROOT,
                "%-17s %5s %6s %10s %9s %8s %9s%n",
                "classifier",
                "ways",
                "shots",
                "accuracy",
                "± 95% CI",
                "std",
                "seconds");
        for (FewShotResult.Setting s : r.settings()) {
            o.printf(
                    Locale.ROOT,
                    "%-17s %5d %6d %9.2f%% %8.2f%% %7.2f%% %9.3f%n",
                    s.classifier(),
                    s.ways(),
                    s.shots(),
                    100 * s.accuracy().mean(),
                    100 * s.accuracy().ci95(),
                    100 * s.accuracy().std(),
                    s.seconds());
        }
        o.println();
        o.println("results written to " + r.file());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> json, String key) {
        return json.get(key) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /**
     * Extraction progress on stderr: a live bar on a terminal (the style of {@link ConsoleReporter}), otherwise a
     * plain line every 10 s and one at the end.
     */
    static final class Progress implements FewShotListener {
        private final PrintStream err;
        private final boolean live;
        private ProgressBar bar;
        private long lastPlain;

        Progress(PrintStream err, boolean live) {
            this.err = err;
            this.live = live;
        }

        @Override
        public void onExtractionStart(int images) {
            lastPlain = System.nanoTime();
            if (live) {
                bar = new ProgressBarBuilder()
                        .setTaskName("features")
                        .setInitialMax(images)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(250)
                        .setConsumer(new ConsoleProgressBarConsumer(err, 140))
                        .build();
            } else {
                err.printf(Locale.ROOT, "[fewshot] extracting the features of %d images%n", images);
            }
        }

        @Override
        public void onExtracted(int done, int images) {
            if (bar != null) {
                bar.stepTo(done);
            } else if (System.nanoTime() - lastPlain > 10_000_000_000L) {
                lastPlain = System.nanoTime();
                err.printf(Locale.ROOT, "[fewshot] features %d/%d images%n", done, images);
            }
        }

        @Override
        public void onExtractionEnd(int images, double seconds) {
            if (bar != null) {
                bar.close();
                bar = null;
            }
            err.printf(
                    Locale.ROOT,
                    "[fewshot] features of %d images in %.1f s (%.0f img/s)%n",
                    images,
                    seconds,
                    images / Math.max(seconds, 1e-9));
        }

        @Override
        public void onSettingEnd(FewShotResult.Setting s) {
            err.printf(
                    Locale.ROOT,
                    "[fewshot] %s %d-way %d-shot: %.2f%% ± %.2f%%%n",
                    s.classifier(),
                    s.ways(),
                    s.shots(),
                    100 * s.accuracy().mean(),
                    100 * s.accuracy().ci95());
        }
    }
}
