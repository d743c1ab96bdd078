package org.camloss.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.camloss.api.UserException;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.camloss.cli.viz.CamFigure;
import org.camloss.datasets.ShapesSplit;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.Camloss;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ConfigProblem;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.RunDirectory;
import org.camloss.runtime.train.Batches;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code camloss demo}: cross-entropy against CAM-loss on the built-in shapes data, side by side. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Train ResNet-8 on the built-in 'shapes' dataset twice with the same seed and recipe — "
                    + "cross-entropy, then CAM-loss — and compare accuracy and how well each model's CAAM and target "
                    + "CAM point at the target object. Writes a PNG of the maps. No downloads; a few minutes on 2 cores."
        })
final class DemoCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--epochs", description = "Epochs per model (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int epochs;

    @Option(names = "--train", description = "Training images (default: ${DEFAULT-VALUE}).", defaultValue = "8000")
    int train;

    @Option(names = "--test", description = "Test images (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int test;

    @Option(names = "--alpha", description = "CAM-loss weight α (default: ${DEFAULT-VALUE}).", defaultValue = "1.0")
    double alpha;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory to create (default runs/demo-<timestamp>).")
    Path out;

    @Option(names = "--no-progress", description = "No live progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        Camloss camloss = main.camloss();
        Map<String, Object> recipe = recipe();
        OptionChecks.notBlank(out, "--out", "give a directory to create, or drop --out for runs/demo-<timestamp>");
        Path dir = out != null ? out : Path.of("runs", RunDirectory.stamped("demo"));
        if (dir.toFile().exists()) {
            throw new UserException("--out " + dir + ": already exists; the demo never overwrites results");
        }
        List<String> common =
                List.of("train.epochs=" + epochs, "data.params.train=" + train, "data.params.test=" + test);
        String[][] models = {{"cross-entropy", "loss.id=cross-entropy"}, {"cam-loss", "loss.params.alpha=" + alpha}};
        // every variant is validated before the first one trains (a bad --alpha must not cost a whole run)
        Map<String, ExperimentConfig> configs = new LinkedHashMap<>();
        for (String[] m : models) {
            List<String> sets = new ArrayList<>(common);
            sets.add(m[1]);
            sets.add("name=demo-" + m[0]);
            Map<String, Object> raw = new LinkedHashMap<>(recipe);
            if (m[0].equals("cross-entropy")) {
                raw.put("loss", Map.of("id", "cross-entropy"));
                sets.remove(m[1]);
            }
            try {
                configs.put(m[0], camloss.config(raw, sets));
            } catch (ConfigException e) {
                throw optionProblem(e);
            }
        }
        List<Camloss.TrainResult> results = new ArrayList<>();
        try (AutoCloseable stop = Main.stopOnSignal()) {
            for (Map.Entry<String, ExperimentConfig> c : configs.entrySet()) {
                System.err.println();
                results.add(camloss.train(
                        c.getValue(), dir.resolve(c.getKey()), Console.reporter(c.getKey(), !noProgress)));
            }
        }
        printTable(results);
        Path png = dir.resolve("cam-figure.png");
        figure(camloss, results, png);
        Map<String, Object> summary = new LinkedHashMap<>();
        for (Camloss.TrainResult r : results) {
            summary.put(r.config().loss().id(), r.summary().last());
        }
        Json.write(dir.resolve("summary.json"), summary);
        out().println();
        out().println("figure:  " + png);
        out().println("runs:    " + dir.resolve("cross-entropy") + "  " + dir.resolve("cam-loss"));
        out().println(verdict(results));
        return 0;
    }

    /** The demo's options by the config path each sets. */
    static final Map<String, String> OPTION_OF_PATH = Map.of(
            "train.epochs", "--epochs",
            "data.params.train", "--train",
            "data.params.test", "--test",
            "loss.params.alpha", "--alpha");

    /**
     * A config problem of a variant as the user sees it: naming the demo's option that set the value (not the
     * {@code --set} the demo made of it), one line.
     */
    static UserException optionProblem(ConfigException e) {
        List<String> problems = new ArrayList<>();
        for (ConfigProblem p : e.problems()) {
            String option = OPTION_OF_PATH.get(p.path());
            problems.add(option != null ? option + ": " + p.message() : p.render());
        }
        return new UserException(String.join("; ", problems), e);
    }

    private static Map<String, Object> recipe() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo.yaml")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new ObjectMapper(new YAMLFactory()).readValue(in, LinkedHashMap.class);
            return m;
        }
    }

    private void printTable(List<Camloss.TrainResult> results) {
        out().println();
        String[] cols = {
            "test_accuracy",
            "test_caam_pointing",
            "test_caam_energy",
            "test_cam_pointing",
            "test_cam_energy",
            "test_cam_loss",
            "images_per_sec"
        };
        String[] heads = {"test acc", "CAAM point", "CAAM energy", "CAM point", "CAM energy", "CAM-loss", "img/s"};
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%-14s", "model"));
        for (String s : heads) {
            h.append(String.format(Locale.ROOT, "%12s", s));
        }
        h.append(String.format(Locale.ROOT, "%10s", "wall s"));
        out().println(h);
        out().println("-".repeat(h.length()));
        for (Camloss.TrainResult r : results) {
            Map<String, Object> last = r.summary().last();
            StringBuilder row = new StringBuilder(
                    String.format(Locale.ROOT, "%-14s", r.config().loss().id()));
            for (String c : cols) {
                Object v = last.get(c);
                row.append(
                        v instanceof Number n
                                ? String.format(
                                        Locale.ROOT, c.equals("images_per_sec") ? "%12.0f" : "%12.4f", n.doubleValue())
                                : String.format(Locale.ROOT, "%12s", "n/a"));
            }
            row.append(String.format(Locale.ROOT, "%10.1f", r.summary().seconds()));
            out().println(row);
        }
    }

    private static String verdict(List<Camloss.TrainResult> results) {
        double ce = number(results.get(0).summary().last().get("test_caam_pointing"));
        double cam = number(results.get(1).summary().last().get("test_caam_pointing"));
        double ceE = number(results.get(0).summary().last().get("test_caam_energy"));
        double camE = number(results.get(1).summary().last().get("test_caam_energy"));
        boolean better = cam > ce && camE > ceE;
        return String.format(
                Locale.ROOT,
                "CAAM on the target: pointing %.3f -> %.3f, energy %.3f -> %.3f " + "(cross-entropy -> CAM-loss): %s",
                ce,
                cam,
                ceE,
                camE,
                better
                        ? "CAM-loss concentrates the CAAM on the target, as the paper claims"
                        : "this run does not show CAM-loss concentrating the CAAM more than cross-entropy");
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static void figure(Camloss camloss, List<Camloss.TrainResult> results, Path png) throws IOException {
        Dataset data = camloss.registry()
                .find(
                        org.camloss.runtime.registry.PluginKind.DATASET,
                        results.get(0).config().data().id())
                .orElseThrow()
                .create(org.camloss.api.Params.ofResolved(
                        results.get(0).config().data().params()));
        DataSplit split = data.test();
        int rows = Math.min(6, split.size());
        int[] idx = new int[rows];
        for (int i = 0; i < rows; i++) {
            idx[i] = i;
        }
        var shape = data.info().shape();
        Batches batches = new Batches(split, shape, data.info().numClasses(), rows);
        INDArray images = batches.images(idx);
        INDArray targets = batches.targets(idx);
        CamFigure.Builder fig = CamFigure.builder().title("CAAM and target CAM, cross-entropy vs CAM-loss");
        List<List<CamFigure.ModelMaps>> perRow = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            perRow.add(new ArrayList<>());
        }
        for (Camloss.TrainResult r : results) {
            fig.addModel(r.config().loss().id());
            CamModel model = r.model();
            CamModel.Forward fwd = model.forward(images);
            INDArray caam = CamMaps.caam(fwd.features());
            INDArray cam = CamMaps.cam(fwd.features(), model.classifierWeight(), targets);
            INDArray pred = fwd.logits().argMax(1);
            for (int i = 0; i < rows; i++) {
                perRow.get(i)
                        .add(CamFigure.ModelMaps.of(
                                caam.slice(i).dup(),
                                cam.slice(i).dup(),
                                data.info().classes().get(pred.getInt(i))));
            }
        }
        for (int i = 0; i < rows; i++) {
            float[] rgb = split instanceof ShapesSplit s ? s.displayImage(idx[i]) : display(images.slice(i));
            fig.addRow(
                    rgb,
                    shape.height(),
                    shape.width(),
                    "true: " + data.info().classes().get(split.label(idx[i])),
                    perRow.get(i));
        }
        fig.build().write(png);
    }

    /** Min-max scaled copy of a normalised image, for datasets without a display form. */
    private static float[] display(INDArray image) {
        float[] v = image.dup().reshape(image.length()).toFloatVector();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = max > min ? (v[i] - min) / (max - min) : 0f;
        }
        return v;
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
