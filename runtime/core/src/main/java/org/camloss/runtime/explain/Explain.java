package org.camloss.runtime.explain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.camloss.api.DatasetFactory;
import org.camloss.api.InputShape;
import org.camloss.api.ParamProblem;
import org.camloss.api.Params;
import org.camloss.api.UserException;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.camloss.api.data.PixelNormalization;
import org.camloss.engine.explain.CamBatch;
import org.camloss.engine.explain.ExplainedModel;
import org.camloss.runtime.eval.Localization;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.RunDirectory;
import org.camloss.runtime.run.Versions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Explains a model's predictions on images with CAM methods (what {@code camloss explain} and
 * {@code Camloss.explain} run), in this order:
 *
 * <ol>
 *   <li><b>Check everything</b> before any work: the output directory (never an existing one), the methods and their
 *       parameters, the model (a run's model, a camloss model file or a plain DL4J graph with its logits layer), the
 *       layer (a wrong name lists the valid ones), that methods needing a global average pooling + linear head have
 *       one there, the images (every unreadable one listed) or the data split, the masks (names and sizes), and the
 *       target. Any problem is a {@link UserException}; nothing is written.</li>
 *   <li><b>Explain</b> batch by batch: one inference forward pass, each method's raw maps at the layer's
 *       resolution, an overlay per image and method ({@link Heatmap}, the demo's alignment), and with faithfulness
 *       settings the {@link Faithfulness} metrics; with masks, the pointing game, energy and IoU of each map
 *       ({@link Localization}).</li>
 *   <li><b>Write</b> into a temporary directory beside the output, renamed into place at the end: {@code overlays/},
 *       {@code grid.png} (the first images, every method), {@code maps.npz} and {@code explain.json}. A failure
 *       removes the temporary directory, so no partial output is ever left.</li>
 * </ol>
 */
public final class Explain {
    /** The maps file. */
    public static final String MAPS = "maps.npz";
    /** The description file. */
    public static final String JSON = "explain.json";
    /** The grid picture. */
    public static final String GRID = "grid.png";
    /** The overlay folder. */
    public static final String OVERLAYS = "overlays";
    /** Overlay opacity. */
    static final double ALPHA = 0.5;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Explain() {}

    /** A method to run: its id, parameters and instance. */
    private record Method(String id, Params params, CamMethod method) {}

    /**
     * Runs the request.
     *
     * @throws UserException for bad input, before anything is written
     */
    public static ExplainResult run(PluginRegistry registry, ExplainRequest r, ExplainListener listener) {
        checkNumbers(r);
        boolean fromImages = !r.images().isEmpty();
        boolean fromData = !r.split().isEmpty();
        if (fromImages == fromData) {
            throw new UserException("give the images to explain with --images FILE|DIR... or --data SPLIT, not "
                    + (fromImages ? "both" : "neither"));
        }
        if (r.masks() != null && !fromImages) {
            throw new UserException(
                    "--masks: only with --images (a dataset split brings its own masks, if it has any)");
        }
        Path out = r.write() ? outDir(r) : null;
        List<Method> methodIds = methods(registry, r);

        ModelSource.Loaded loaded = ModelSource.load(registry, r);
        ExplainedModel model = loaded.model();
        String layer = r.layer().isEmpty() ? model.defaultLayer() : r.layer();
        try {
            model.checkLayer(layer);
        } catch (IllegalArgumentException e) {
            throw new UserException("--layer " + e.getMessage(), e);
        }
        List<Method> methods = methodIds.isEmpty() ? defaultMethods(registry, model, layer) : methodIds;
        for (Method m : methods) {
            if (m.method().requires().contains(CamInput.LINEAR_HEAD)
                    && model.linearHead(layer).isEmpty()) {
                throw new UserException("--method " + m.id() + ": needs a global average pooling + linear head that "
                        + "classifies layer '" + layer + "', and " + model.noLinearHeadReason(layer)
                        + "; gradient and score methods (grad-cam, grad-cam-plus-plus, layer-cam, score-cam) work at any "
                        + "layer");
            }
        }
        InputShape shape = model.inputShape();
        Inputs inputs = fromImages ? files(r, loaded, shape) : split(registry, r, loaded, shape);
        Target target = Target.parse(r.target(), loaded.classes(), inputs.hasLabels(), fromImages);

        Path tmp = null;
        try {
            if (out != null) {
                tmp = out.toAbsolutePath()
                        .getParent()
                        .resolve("." + out.getFileName() + ".tmp-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
                Files.createDirectories(tmp);
                if (r.overlays()) {
                    Files.createDirectory(tmp.resolve(OVERLAYS));
                }
            }
            ExplainResult result = explain(r, loaded, layer, methods, inputs, target, tmp, out, listener);
            if (tmp != null) {
                move(tmp, out);
                tmp = null;
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("explain: cannot write " + (out == null ? "" : out), e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    private static void checkNumbers(ExplainRequest r) {
        if (r.limit() < 0) {
            throw new UserException("--limit: must be 0 (all) or positive, found " + r.limit());
        }
        if (r.batchSize() < 1 || r.batchSize() > 4096) {
            throw new UserException("--batch: must be in [1, 4096], found " + r.batchSize());
        }
        if (r.gridRows() < 0 || r.gridRows() > 256) {
            throw new UserException("--grid-rows: must be in [0, 256], found " + r.gridRows());
        }
        if (r.scale() < 0 || r.scale() > 32) {
            throw new UserException("--scale: must be in [0, 32] (0: automatic), found " + r.scale());
        }
    }

    private static Path outDir(ExplainRequest r) {
        Path out = r.out();
        if (out == null) {
            Path base = Files.isDirectory(r.model()) ? r.model() : Path.of(".");
            out = base.resolve(RunDirectory.stamped("explain"));
        }
        for (Path p = out.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new UserException("--out " + out + ": cannot be created: " + p + " is a file, not a directory");
            }
        }
        if (Files.exists(out)) {
            throw new UserException("--out " + out + ": already exists; camloss never overwrites results");
        }
        return out;
    }

    /** The methods asked for, checked, with their parameters; empty for the default. */
    static List<Method> methods(PluginRegistry registry, ExplainRequest r) {
        List<String> ids = new ArrayList<>();
        for (String spec : r.methods()) {
            for (String part : spec.split(",")) {
                String id = part.trim();
                if (id.isEmpty()) {
                    continue;
                }
                if (id.equals("all")) {
                    registry.ids(PluginKind.CAM_METHOD).forEach(x -> {
                        if (!ids.contains(x)) {
                            ids.add(x);
                        }
                    });
                    continue;
                }
                id = canonical(id);
                if (ids.contains(id)) {
                    throw new UserException("--method " + id + ": given twice");
                }
                ids.add(id);
            }
        }
        Map<String, Map<String, Object>> params = new LinkedHashMap<>();
        for (String p : r.methodParams()) {
            int eq = p.indexOf('=');
            int dot = p.lastIndexOf('.', eq < 0 ? p.length() : eq);
            if (eq < 0 || dot <= 0) {
                throw new UserException("--method-param " + p + ": must be METHOD.NAME=VALUE, e.g. "
                        + "score-cam.weighting=channel-softmax");
            }
            String id = canonical(p.substring(0, dot));
            if (!ids.contains(id)) {
                throw new UserException("--method-param " + p + ": method '" + id + "' is not among the methods run "
                        + (ids.isEmpty() ? "(give it with --method)" : ids.toString()));
            }
            params.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(p.substring(dot + 1, eq), p.substring(eq + 1));
        }
        List<Method> out = new ArrayList<>();
        for (String id : ids) {
            out.add(method(registry, id, params.getOrDefault(id, Map.of())));
        }
        return out;
    }

    /** The paper's spelling {@code grad-cam++} reads as the kebab-case id {@code grad-cam-plus-plus}. */
    static String canonical(String id) {
        return id.endsWith("++") ? id.substring(0, id.length() - 2) + "-plus-plus" : id;
    }

    private static Method method(PluginRegistry registry, String id, Map<String, Object> raw) {
        CamMethodFactory f = registry.find(PluginKind.CAM_METHOD, id)
                .orElseThrow(
                        () -> new UserException("--method: " + registry.unknownIdMessage(PluginKind.CAM_METHOD, id)));
        Params.Resolution res = Params.check(f.params(), raw);
        List<ParamProblem> problems = res.problems();
        if (problems.isEmpty()) {
            problems = f.validate(res.params());
        }
        if (!problems.isEmpty()) {
            throw new UserException(problems.stream()
                    .map(p ->
                            "--method-param " + id + (p.param().isEmpty() ? "" : "." + p.param()) + ": " + p.message())
                    .collect(Collectors.joining("; ")));
        }
        return new Method(f.id(), res.params(), f.create(res.params()));
    }

    private static List<Method> defaultMethods(PluginRegistry registry, ExplainedModel model, String layer) {
        String id = model.linearHead(layer).isPresent() ? "cam" : "grad-cam";
        return List.of(method(registry, id, Map.of()));
    }

    private static Inputs files(ExplainRequest r, ModelSource.Loaded loaded, InputShape shape) {
        PixelNormalization norm;
        if (!r.mean().isEmpty() || !r.std().isEmpty()) {
            norm = normalization(r, shape.channels());
        } else {
            norm = loaded.normalization().orElse(null);
            if (norm == null) {
                if (loaded.runData().isPresent()) {
                    throw new UserException(
                            "--images: the run's dataset ("
                                    + loaded.runData().get().info().name()
                                    + ") does not say how it normalises pixels; give --mean and --std (per channel, after /255)");
                }
                norm = PixelNormalization.unit(shape.channels());
            }
        }
        return Inputs.files(r.images(), r.masks(), shape, norm, r.limit());
    }

    private static PixelNormalization normalization(ExplainRequest r, int channels) {
        if (r.mean().isEmpty() || r.std().isEmpty()) {
            throw new UserException("--mean and --std: give both (per channel, after /255), or neither");
        }
        double[] mean = expand(r.mean(), channels, "--mean");
        double[] std = expand(r.std(), channels, "--std");
        for (double s : std) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new UserException("--std: every value must be positive, found " + r.std());
            }
        }
        for (double m : mean) {
            if (!Double.isFinite(m)) {
                throw new UserException("--mean: every value must be finite, found " + r.mean());
            }
        }
        return new PixelNormalization(mean, std);
    }

    private static double[] expand(List<Double> v, int channels, String what) {
        if (v.size() != 1 && v.size() != channels) {
            throw new UserException(what + ": give 1 value or " + channels + " (one per channel), found " + v.size());
        }
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = v.get(v.size() == 1 ? 0 : c);
        }
        return out;
    }

    private static Inputs split(
            PluginRegistry registry, ExplainRequest r, ModelSource.Loaded loaded, InputShape shape) {
        Dataset data;
        if (!r.dataset().isEmpty()) {
            data = dataset(registry, r);
        } else {
            data = loaded.runData()
                    .orElseThrow(() -> new UserException("--data " + r.split() + ": MODEL " + r.model() + " is a model "
                            + "file, not a run, so it brings no data; name a dataset with --dataset ID (and "
                            + "--data-param NAME=VALUE), or give --images"));
        }
        if (!data.info().shape().equals(shape)) {
            throw new UserException("--data: the images of " + data.info().name() + " are "
                    + data.info().shape() + " but the model takes " + shape);
        }
        if (data.info().numClasses() != loaded.model().numClasses()) {
            throw new UserException(
                    "--data: " + data.info().name() + " has " + data.info().numClasses() + " classes but the model "
                            + loaded.model().numClasses());
        }
        DataSplit split =
                switch (r.split()) {
                    case "test" -> data.test();
                    case "train" -> data.train();
                    case "validation" -> data.validation()
                            .orElseThrow(
                                    () -> new UserException(
                                            "--data validation: " + data.info().name()
                                                    + " has no validation split (set data.params.validation in the run's config)"));
                    default -> throw new UserException(
                            "--data: must be test, train or validation, found '" + r.split() + "'");
                };
        return Inputs.split(
                split,
                r.split(),
                data.info().name(),
                shape,
                r.limit(),
                r.indices(),
                data.normalization().orElse(null));
    }

    private static Dataset dataset(PluginRegistry registry, ExplainRequest r) {
        DatasetFactory f = registry.find(PluginKind.DATASET, r.dataset())
                .orElseThrow(() ->
                        new UserException("--dataset: " + registry.unknownIdMessage(PluginKind.DATASET, r.dataset())));
        Map<String, Object> raw = new LinkedHashMap<>();
        for (String p : r.dataParams()) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new UserException("--data-param " + p + ": must be NAME=VALUE");
            }
            raw.put(p.substring(0, eq), p.substring(eq + 1));
        }
        Params.Resolution res = Params.check(f.params(), raw);
        List<ParamProblem> problems = res.problems();
        if (problems.isEmpty()) {
            problems = f.validate(res.params());
        }
        if (!problems.isEmpty()) {
            throw new UserException(problems.stream()
                            .map(p -> "--data-param " + (p.param().isEmpty() ? "" : p.param() + ": ") + p.message())
                            .collect(Collectors.joining("; "))
                    + " (dataset " + f.id() + "; 'camloss plugins' lists its parameters)");
        }
        try {
            return f.create(res.params());
        } catch (IllegalArgumentException e) {
            throw new UserException("--dataset " + f.id() + ": " + e.getMessage(), e);
        }
    }

    /** The class each image's maps are for. */
    private record Target(String rule, int fixed) {
        static Target parse(String s, List<String> classes, boolean labels, boolean fromImages) {
            String valid = "pred, true, a class index in [0, " + (classes.size() - 1) + "] or a class name " + classes;
            if (s.equals("pred")) {
                return new Target("pred", -1);
            }
            if (s.equals("true")) {
                if (!labels) {
                    throw new UserException("--target true: " + (fromImages ? "image files have" : "the data has")
                            + " no labels; use " + valid.replace("true, ", ""));
                }
                return new Target("true", -1);
            }
            try {
                int k = Integer.parseInt(s.trim());
                if (k < 0 || k >= classes.size()) {
                    throw new UserException("--target " + s + ": out of range [0, " + (classes.size() - 1) + "] (the "
                            + "model has " + classes.size() + " classes); valid: " + valid);
                }
                return new Target("class", k);
            } catch (NumberFormatException e) {
                int k = classes.indexOf(s);
                if (k < 0) {
                    throw new UserException("--target " + s + ": not " + valid);
                }
                return new Target("class", k);
            }
        }

        int[] of(INDArray logits, Inputs inputs, int[] idx) {
            int[] out = new int[idx.length];
            for (int b = 0; b < idx.length; b++) {
                out[b] = switch (rule) {
                    case "pred" -> argmax(logits.getRow(b).toDoubleVector());
                    case "true" -> inputs.label(idx[b]);
                    default -> fixed;
                };
            }
            return out;
        }

        String describe(List<String> classes) {
            return rule.equals("class") ? fixed + " (" + classes.get(fixed) + ")" : rule;
        }
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static ExplainResult explain(
            ExplainRequest r,
            ModelSource.Loaded loaded,
            String layer,
            List<Method> methods,
            Inputs inputs,
            Target target,
            Path tmp,
            Path out,
            ExplainListener listener)
            throws IOException {
        ExplainedModel model = loaded.model();
        InputShape shape = model.inputShape();
        long[] mapShape = model.mapShape(layer);
        int mh = (int) mapShape[1];
        int mw = (int) mapShape[2];
        int n = inputs.size();
        int k = model.numClasses();
        int scale = r.scale() > 0
                ? r.scale()
                : Math.max(
                        1,
                        (112 + Math.max(shape.height(), shape.width()) - 1) / Math.max(shape.height(), shape.width()));
        int gridRows = Math.min(r.gridRows(), n);
        boolean faith = r.faithfulness() != null;
        boolean masks = inputs.hasMasks();

        Map<String, float[]> allMaps = new LinkedHashMap<>();
        for (Method m : methods) {
            allMaps.put(m.id(), new float[n * mh * mw]);
        }
        float[] logitsAll = new float[n * k];
        int[] targets = new int[n];
        List<ExplainResult.Image> images = new ArrayList<>();
        List<ExplainGrid.Row> grid = new ArrayList<>();
        Map<String, Accumulator> acc = new LinkedHashMap<>();
        for (Method m : methods) {
            acc.put(m.id(), new Accumulator());
        }
        long t0 = System.nanoTime();
        double faithSeconds = 0;
        int batch = r.batchSize();
        listener.progress("explain", 0, n);
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            int[] idx = new int[to - from];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            INDArray x = inputs.images(idx).castTo(model.dataType());
            CamBatch cb = CamBatch.of(model, layer, x, logits -> target.of(logits, inputs, idx), batch);
            int[] t = cb.targets();
            double[][] z = cb.logits().castTo(DataType.DOUBLE).toDoubleMatrix();
            Map<String, float[]> batchMaps = new LinkedHashMap<>();
            for (Method m : methods) {
                float[] maps = cb.maps(m.method())
                        .castTo(DataType.FLOAT)
                        .dup('c')
                        .data()
                        .asFloat();
                System.arraycopy(maps, 0, allMaps.get(m.id()), from * mh * mw, maps.length);
                batchMaps.put(m.id(), maps);
            }
            Map<String, Faithfulness.Scores[]> faithScores = new LinkedHashMap<>();
            if (faith) {
                long f0 = System.nanoTime();
                for (Method m : methods) {
                    faithScores.put(
                            m.id(),
                            Faithfulness.evaluate(
                                    imgs -> chunkedLogits(model, imgs, batch),
                                    x,
                                    t,
                                    batchMaps.get(m.id()),
                                    mh,
                                    mw,
                                    r.faithfulness()));
                }
                faithSeconds += (System.nanoTime() - f0) / 1e9;
            }
            for (int b = 0; b < idx.length; b++) {
                int i = idx[b];
                targets[i] = t[b];
                for (int c = 0; c < k; c++) {
                    logitsAll[i * k + c] = (float) z[b][c];
                }
                double[] p = softmax(z[b]);
                int pred = argmax(z[b]);
                boolean needDisplay = (tmp != null && r.overlays()) || i < gridRows || r.keepImages();
                float[] display = needDisplay ? inputs.display(i) : null;
                boolean[] mask = masks ? inputs.mask(i) : null;
                Map<String, float[]> kept = new LinkedHashMap<>();
                Map<String, Faithfulness.Scores> fs = new LinkedHashMap<>();
                Map<String, Localization.Score> loc = new LinkedHashMap<>();
                List<float[]> gridMaps = new ArrayList<>();
                for (Method m : methods) {
                    float[] map = new float[mh * mw];
                    System.arraycopy(batchMaps.get(m.id()), b * mh * mw, map, 0, mh * mw);
                    if (r.keepImages()) {
                        kept.put(m.id(), map);
                    }
                    if (i < gridRows) {
                        gridMaps.add(map);
                    }
                    if (tmp != null && r.overlays()) {
                        writePng(
                                tmp.resolve(OVERLAYS).resolve(overlayName(i, inputs.name(i), m.id())),
                                Heatmap.overlay(display, shape.height(), shape.width(), map, mh, mw, scale, ALPHA));
                    }
                    if (faith) {
                        Faithfulness.Scores s = faithScores.get(m.id())[b];
                        fs.put(m.id(), s);
                        acc.get(m.id()).add(s);
                    }
                    if (mask != null) {
                        Localization.Score s = Localization.score(map, mh, mw, mask, shape.height(), shape.width());
                        loc.put(m.id(), s);
                        acc.get(m.id()).add(s);
                    }
                }
                if (i < gridRows) {
                    grid.add(new ExplainGrid.Row(
                            display, caption(inputs, i, t[b], pred, p, loaded.classes()), gridMaps));
                }
                images.add(new ExplainResult.Image(
                        inputs.name(i),
                        inputs.label(i),
                        t[b],
                        pred,
                        p[pred],
                        p[t[b]],
                        r.keepImages() ? display : null,
                        kept,
                        fs,
                        loc));
            }
            listener.progress("explain", to, n);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        List<String> ids = methods.stream().map(Method::id).toList();
        Map<String, ExplainResult.Summary> summary = new LinkedHashMap<>();
        for (Method m : methods) {
            summary.put(m.id(), acc.get(m.id()).summary(faith, masks));
        }
        Map<String, Object> json = json(
                r,
                loaded,
                layer,
                methods,
                inputs,
                target,
                mh,
                mw,
                scale,
                gridRows,
                images,
                summary,
                seconds,
                faithSeconds);
        if (tmp != null) {
            Map<String, INDArray> arrays = new LinkedHashMap<>();
            for (Method m : methods) {
                arrays.put(m.id(), Nd4j.create(allMaps.get(m.id()), new long[] {n, mh, mw}, 'c'));
            }
            arrays.put("logits", Nd4j.create(logitsAll, new long[] {n, k}, 'c'));
            arrays.put("targets", Nd4j.createFromArray(targets));
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = inputs.label(i);
            }
            arrays.put("labels", Nd4j.createFromArray(labels));
            NpzWriter.write(tmp.resolve(MAPS), arrays);
            if (gridRows > 0) {
                writePng(
                        tmp.resolve(GRID),
                        ExplainGrid.render(grid, ids, shape.height(), shape.width(), mh, mw, 112, ALPHA));
            }
            Json.write(tmp.resolve(JSON), json);
        }
        return new ExplainResult(out, ids, layer, mh, mw, loaded.classes(), images, summary, json);
    }

    /** Logits of any number of images, {@code batch} at a time. */
    static INDArray chunkedLogits(ExplainedModel model, INDArray images, int batch) {
        long m = images.size(0);
        if (m <= batch) {
            return model.logits(images);
        }
        List<INDArray> parts = new ArrayList<>();
        for (long from = 0; from < m; from += batch) {
            long to = Math.min(m, from + batch);
            parts.add(model.logits(images.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                            org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .dup()));
        }
        return Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    private static String caption(Inputs inputs, int i, int target, int pred, double[] p, List<String> classes) {
        String label = inputs.label(i) >= 0 ? "true " + classes.get(inputs.label(i)) + " · " : "";
        return String.format(
                Locale.ROOT,
                "%s · %starget %s · pred %s (%.2f)",
                inputs.name(i),
                label,
                classes.get(target),
                classes.get(pred),
                p[pred]);
    }

    /** {@code 0007-name-method.png}: the index keeps names unique and in input order. */
    static String overlayName(int i, String name, String method) {
        String base = name;
        int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        if (slash >= 0) {
            base = base.substring(slash + 1);
        }
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        base = base.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (base.length() > 60) {
            base = base.substring(0, 60);
        }
        return String.format(Locale.ROOT, "%04d-%s-%s.png", i, base, method);
    }

    private static void writePng(Path file, java.awt.image.BufferedImage image) throws IOException {
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available in this JVM");
        }
    }

    /** Sums of the per-image metrics of one method. */
    private static final class Accumulator {
        private long faithCount;
        private double deletion;
        private double insertion;
        private double drop;
        private long increase;
        private double[] deletionCurve;
        private double[] insertionCurve;
        private long locCount;
        private long hits;
        private double energy;
        private double iou;

        void add(Faithfulness.Scores s) {
            faithCount++;
            deletion += s.deletionAuc();
            insertion += s.insertionAuc();
            drop += s.drop();
            increase += s.increase() ? 1 : 0;
            deletionCurve = addTo(deletionCurve, s.deletionCurve());
            insertionCurve = addTo(insertionCurve, s.insertionCurve());
        }

        void add(Localization.Score s) {
            locCount++;
            hits += s.hit() ? 1 : 0;
            energy += s.energy();
            iou += s.iou();
        }

        private static double[] addTo(double[] sum, double[] v) {
            double[] out = sum == null ? new double[v.length] : sum;
            for (int i = 0; i < v.length; i++) {
                out[i] += v[i];
            }
            return out;
        }

        ExplainResult.Summary summary(boolean faith, boolean masks) {
            double nf = faithCount;
            double nl = locCount;
            double[] dc = deletionCurve == null ? new double[0] : deletionCurve.clone();
            double[] ic = insertionCurve == null ? new double[0] : insertionCurve.clone();
            for (int i = 0; i < dc.length; i++) {
                dc[i] /= nf;
                ic[i] /= nf;
            }
            return new ExplainResult.Summary(
                    faith ? deletion / nf : Double.NaN,
                    faith ? insertion / nf : Double.NaN,
                    faith ? 100 * drop / nf : Double.NaN,
                    faith ? 100 * increase / nf : Double.NaN,
                    masks ? hits / nl : Double.NaN,
                    masks ? energy / nl : Double.NaN,
                    masks ? iou / nl : Double.NaN,
                    dc,
                    ic);
        }
    }

    private static Map<String, Object> json(
            ExplainRequest r,
            ModelSource.Loaded loaded,
            String layer,
            List<Method> methods,
            Inputs inputs,
            Target target,
            int mh,
            int mw,
            int scale,
            int gridRows,
            List<ExplainResult.Image> images,
            Map<String, ExplainResult.Summary> summary,
            double seconds,
            double faithSeconds) {
        InputShape shape = loaded.model().inputShape();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "camloss-explain/1");
        m.put("created", Instant.now().toString());
        m.put("camloss", Versions.camloss());
        m.put("model", loaded.describe());
        m.put("inputs", inputs.describe());
        m.put("layer", layer);
        m.put("map_size", List.of(mh, mw));
        m.put("image_size", List.of(shape.height(), shape.width(), shape.channels()));
        m.put("classes", loaded.classes());
        m.put("target", target.describe(loaded.classes()));
        List<Map<String, Object>> ms = new ArrayList<>();
        for (Method x : methods) {
            ms.add(Map.of("id", x.id(), "params", x.params().asMap()));
        }
        m.put("methods", ms);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("maps", MAPS);
        files.put(
                "maps_layout",
                "one float32 array [N, h, w] per method id (raw maps at the layer's resolution, "
                        + "images in the order of 'images'), 'logits' float32 [N, K], 'targets' int32 [N], 'labels' int32 [N] "
                        + "(-1 when unknown); numpy.load reads it");
        files.put("overlays", r.overlays() ? OVERLAYS + "/<index>-<name>-<method>.png" : null);
        files.put("grid", gridRows > 0 ? GRID : null);
        m.put("files", files);
        m.put(
                "alignment",
                "maps resized bilinearly with align_corners=false to the picture, min-max normalised per "
                        + "map, jet colormap, opacity " + ALPHA + "; images enlarged " + scale
                        + "x by nearest neighbour");
        if (r.faithfulness() != null) {
            m.put("faithfulness", r.faithfulness().toMap());
        }
        Map<String, Object> sum = new LinkedHashMap<>();
        for (Map.Entry<String, ExplainResult.Summary> e : summary.entrySet()) {
            sum.put(e.getKey(), summaryMap(e.getValue()));
        }
        m.put("summary", sum);
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ExplainResult.Image img = images.get(i);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", i);
            e.put("name", img.name());
            e.put("label", img.label() >= 0 ? img.label() : null);
            e.put("target", img.target());
            e.put("predicted", img.predicted());
            e.put("confidence", img.confidence());
            e.put("target_probability", img.targetProbability());
            if (r.overlays() && r.write()) {
                Map<String, Object> o = new LinkedHashMap<>();
                for (Method x : methods) {
                    o.put(x.id(), OVERLAYS + "/" + overlayName(i, img.name(), x.id()));
                }
                e.put("overlays", o);
            }
            if (!img.faithfulness().isEmpty()) {
                Map<String, Object> f = new LinkedHashMap<>();
                img.faithfulness().forEach((id, s) -> {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("deletion_auc", s.deletionAuc());
                    v.put("insertion_auc", s.insertionAuc());
                    v.put("confidence", s.confidence());
                    v.put("masked_confidence", s.maskedConfidence());
                    v.put("drop", s.drop());
                    v.put("increase", s.increase());
                    f.put(id, v);
                });
                e.put("faithfulness", f);
            }
            if (!img.localization().isEmpty()) {
                Map<String, Object> l = new LinkedHashMap<>();
                img.localization()
                        .forEach((id, s) -> l.put(id, Map.of("hit", s.hit(), "energy", s.energy(), "iou", s.iou())));
                e.put("localization", l);
            }
            list.add(e);
        }
        m.put("images", list);
        m.put("seconds", Map.of("total", seconds, "faithfulness", faithSeconds));
        List<String> nonFinite = Json.nonFinite(m);
        if (!nonFinite.isEmpty()) {
            m.put(
                    "warnings",
                    nonFinite.stream().map(x -> x + ": no finite value").toList());
        }
        return m;
    }

    /** One method's summary for JSON files: metrics that were computed, curves as lists. */
    public static Map<String, Object> summaryMap(ExplainResult.Summary s) {
        Map<String, Object> v = new LinkedHashMap<>();
        if (s.hasFaithfulness()) {
            v.put("deletion_auc", s.deletionAuc());
            v.put("insertion_auc", s.insertionAuc());
            v.put("average_drop", s.averageDrop());
            v.put("increase_in_confidence", s.increaseInConfidence());
            v.put("deletion_curve", toList(s.deletionCurve()));
            v.put("insertion_curve", toList(s.insertionCurve()));
        }
        if (s.hasLocalization()) {
            v.put("pointing", s.pointing());
            v.put("energy", s.energy());
            v.put("iou", s.iou());
        }
        return v;
    }

    private static List<Double> toList(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double d : v) {
            out.add(d);
        }
        return out;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temporary directory is hidden and named as such
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort, as above
        }
    }
}
