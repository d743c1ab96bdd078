package org.camloss.runtime.fewshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.camloss.api.DatasetFactory;
import org.camloss.api.InputShape;
import org.camloss.api.ParamProblem;
import org.camloss.api.Params;
import org.camloss.api.UserException;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.ModelFiles;
import org.camloss.runtime.run.Provenance;
import org.camloss.runtime.run.RunDirectory;
import org.camloss.runtime.run.Versions;

/**
 * Few-shot evaluation of a finished run's frozen features (what {@link org.camloss.runtime.Camloss#fewShot} and
 * {@code camloss fewshot} run), in this order:
 *
 * <ol>
 *   <li><b>Check everything cheap</b> before any work: the numbers of the request, that the results file does not
 *       exist, that the run finished and has its {@code model.zip}, the dataset plugin and its parameters (each
 *       value against its declaration, then the plugin's rules between them), that the data's images have the
 *       shape the model was trained on (the run's provenance), the classes, and that every setting can be sampled
 *       ({@code ways} at most the classes, {@code shots + queries} at most the images of the smallest class). Any
 *       problem is a {@link UserException} naming the option, the problem and the valid range; nothing is
 *       written.</li>
 *   <li><b>Extract</b> the pooled features of every image of the chosen classes once ({@link FeatureExtractor}).</li>
 *   <li><b>Evaluate</b> every (ways, shots, classifier) on episodes drawn from the seed ({@link EpisodeEvaluation}).</li>
 *   <li><b>Write</b> the results file whole (a temporary file linked to its name, so an existing file is never
 *       replaced, even by a concurrent run).</li>
 * </ol>
 */
public final class FewShot {
    /** The default results file's name in the run directory. */
    public static final String FILE = "fewshot.json";

    private FewShot() {}

    /**
     * Runs the evaluation.
     *
     * @throws UserException for bad input, before anything is written
     */
    public static FewShotResult run(PluginRegistry registry, FewShotRequest request, FewShotListener listener) {
        checkNumbers(request);
        request.out().ifPresent(FewShot::checkOut);
        RunDirectory run = RunDirectory.open(request.runDir());
        Map<String, Object> runJson = readRunJson(run);
        Map<String, Object> provenance = map(runJson.get("provenance"));
        checkFinished(run, provenance);

        ChosenData chosen = data(registry, request, run, runJson);
        Dataset data = chosen.dataset();
        InputShape shape = data.info().shape();
        modelShape(provenance).ifPresent(m -> {
            if (!m.equals(shape)) {
                throw new UserException("--data " + chosen.id() + ": its images are " + shape + " ("
                        + data.info().name() + ") but the model of " + run.path() + " takes " + m
                        + " images (the shape it was trained on, in its run.json); few-shot features need images "
                        + "of the model's input shape");
            }
        });
        DataSplit split = request.split() == FewShotRequest.Split.TEST ? data.test() : data.train();
        List<Integer> labels = classes(request, data);
        Selection selection = select(split, labels, data.info().numClasses());
        checkSettings(request, data, labels, selection);

        CamModel model = ModelFiles.load(run.path(), "RUN_DIR", shape);
        String sha256 = sha256(run.model());

        listener.onExtractionStart(selection.examples().length);
        long start = System.nanoTime();
        FeatureSet features = new FeatureExtractor(model, request.batchSize())
                .extract(split, selection.examples(), selection.classes(), listener);
        double extractionSeconds = (System.nanoTime() - start) / 1e9;
        listener.onExtractionEnd(features.size(), extractionSeconds);

        start = System.nanoTime();
        List<FewShotResult.Setting> settings = new EpisodeEvaluation(features, labels.size())
                .run(
                        request.classifiers(),
                        distinct(request.ways()),
                        distinct(request.shots()),
                        request.queries(),
                        request.episodes(),
                        request.seed(),
                        listener);
        double episodeSeconds = (System.nanoTime() - start) / 1e9;

        List<FewShotResult.ClassInfo> classInfo = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            classInfo.add(new FewShotResult.ClassInfo(
                    labels.get(c),
                    data.info().classes().get(labels.get(c)),
                    selection.counts()[c]));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run", runSection(run, runJson, sha256));
        json.put("data", dataSection(chosen, request.split()));
        json.put(
                "classes",
                classInfo.stream().map(FewShotResult.ClassInfo::toJson).toList());
        json.put("protocol", protocol(request, features.dim()));
        json.put("results", settings.stream().map(FewShotResult.Setting::toJson).toList());
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("images", features.size());
        timing.put("extraction_seconds", extractionSeconds);
        timing.put("episode_seconds", episodeSeconds);
        json.put("timing", timing);
        json.put("camloss_version", Versions.camloss());
        json.put("created", Instant.now().toString());
        Path file = write(request.out(), run.path(), json);
        return new FewShotResult(
                file,
                run.path(),
                sha256,
                data.info().name(),
                request.split().id(),
                classInfo,
                features.dim(),
                extractionSeconds,
                episodeSeconds,
                settings,
                json);
    }

    // ---------------------------------------------------------------- checks

    private static void checkNumbers(FewShotRequest r) {
        if (r.ways().isEmpty()) {
            throw new UserException("--ways: empty; give one or more numbers of classes per episode, e.g. 5");
        }
        for (int n : r.ways()) {
            if (n < 2) {
                throw new UserException("--ways " + n + ": must be at least 2 (an episode tells classes apart)");
            }
        }
        if (r.shots().isEmpty()) {
            throw new UserException("--shots: empty; give one or more numbers of support images per class, e.g. 1,5");
        }
        for (int k : r.shots()) {
            if (k < 1) {
                throw new UserException("--shots " + k + ": must be at least 1");
            }
        }
        if (r.queries() < 1) {
            throw new UserException("--queries " + r.queries() + ": must be at least 1");
        }
        if (r.episodes() < 1 || r.episodes() > 1_000_000) {
            throw new UserException("--episodes " + r.episodes() + ": must be in [1, 1000000]");
        }
        if (r.classifiers().isEmpty()) {
            throw new UserException("--classifier: empty; give one or more of " + FewShotMethod.ids());
        }
        if (r.batchSize() < 1 || r.batchSize() > 65_536) {
            throw new UserException("--batch " + r.batchSize() + ": must be in [1, 65536]");
        }
    }

    private static void checkOut(Path out) {
        if (Files.exists(out)) {
            throw new UserException("--out " + out + ": already exists; camloss never overwrites results (name "
                    + "another file, or leave --out out to write the run directory's first free " + FILE + ", "
                    + "fewshot-2.json, ...)");
        }
        Path parent = out.toAbsolutePath().getParent();
        for (Path p = parent; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new UserException("--out " + out + ": cannot be created, " + p + " is a file");
                }
                break;
            }
        }
    }

    private static Map<String, Object> readRunJson(RunDirectory run) {
        try {
            return Json.read(run.runJson());
        } catch (IOException e) {
            throw new UserException(run.runJson() + ": unreadable JSON (" + e.getMessage() + ")");
        }
    }

    /** Refuses a run that is training, failed or was interrupted, and a finished run without its model. */
    private static void checkFinished(RunDirectory run, Map<String, Object> provenance) {
        Provenance.Status status = Provenance.status(provenance);
        String detail = status.detail().isBlank() ? "" : " (" + status.detail() + ")";
        String why =
                switch (status.status()) {
                    case Provenance.RUNNING -> "is still training" + detail + "; wait until it finishes";
                    case Provenance.FAILED -> "failed" + detail + " and has no model";
                    case Provenance.INTERRUPTED -> "was interrupted" + detail + "; finish it with 'camloss resume "
                            + run.path() + "'";
                    default -> null;
                };
        if (why != null) {
            throw new UserException(run.path() + ": the run " + why + "; few-shot evaluation needs a finished run");
        }
        if (!Files.isRegularFile(run.model())) {
            throw new UserException(
                    run.model() + ": missing; the run did not finish (see 'status' in " + RunDirectory.RUN_JSON + ")");
        }
    }

    /** The image shape the run's model was trained on, from its provenance ({@code dataset.shape}, HxWxC). */
    private static Optional<InputShape> modelShape(Map<String, Object> provenance) {
        Object shape = map(provenance.get("dataset")).get("shape");
        if (shape == null) {
            return Optional.empty();
        }
        String[] hwc = shape.toString().split("x");
        try {
            return Optional.of(
                    new InputShape(Integer.parseInt(hwc[2]), Integer.parseInt(hwc[0]), Integer.parseInt(hwc[1])));
        } catch (RuntimeException e) {
            return Optional.empty(); // an unrecorded shape: the model's own check when it is loaded decides
        }
    }

    /**
     * The dataset plugin's id, resolved parameters and instance.
     *
     * @param id     the plugin id
     * @param params the resolved parameters
     */
    private record ChosenData(String id, Params params, Dataset dataset) {}

    private static ChosenData data(
            PluginRegistry registry, FewShotRequest request, RunDirectory run, Map<String, Object> runJson) {
        Map<String, Object> runData = map(runJson.get("data"));
        String runId = runData.get("id") == null ? null : runData.get("id").toString();
        String id = request.dataId().orElse(runId);
        if (id == null) {
            throw new UserException("--data: missing, and " + run.runJson() + " names no dataset; give --data ID");
        }
        DatasetFactory factory = registry.find(PluginKind.DATASET, id)
                .orElseThrow(() -> new UserException("--data: " + registry.unknownIdMessage(PluginKind.DATASET, id)));
        Map<String, Object> raw = new LinkedHashMap<>();
        if (runId != null && registry.find(PluginKind.DATASET, runId).orElse(null) == factory) {
            raw.putAll(map(runData.get("params")));
        }
        raw.putAll(request.dataParams());
        Params.Resolution resolution = Params.check(factory.params(), raw);
        List<ParamProblem> problems = resolution.problems();
        if (problems.isEmpty()) {
            problems = factory.validate(resolution.params());
        }
        if (!problems.isEmpty()) {
            throw new UserException(problems.stream()
                            .map(p -> "--data-param " + (p.param().isEmpty() ? "" : p.param() + ": ") + p.message())
                            .collect(Collectors.joining("; "))
                    + " (dataset " + factory.id() + "; 'camloss plugins' lists its parameters)");
        }
        Dataset dataset;
        try {
            dataset = factory.create(resolution.params());
        } catch (IllegalArgumentException e) {
            throw new UserException("--data " + factory.id() + ": " + e.getMessage(), e);
        }
        return new ChosenData(factory.id(), resolution.params(), dataset);
    }

    /** The dataset labels of the chosen classes, in the order given (every class when none are given). */
    private static List<Integer> classes(FewShotRequest request, Dataset data) {
        List<String> names = data.info().classes();
        if (request.classes().isEmpty()) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                all.add(i);
            }
            return all;
        }
        String valid = "valid: labels 0.." + (names.size() - 1) + " or names " + names;
        List<String> given = request.classes().get().stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        if (given.isEmpty()) {
            throw new UserException("--classes: empty; give the classes to draw episodes from (" + valid + ")");
        }
        LinkedHashSet<Integer> labels = new LinkedHashSet<>();
        for (String token : given) {
            int label = label(token, names);
            if (label < 0) {
                throw new UserException("--classes: '" + token + "' is not a class of "
                        + data.info().name() + " (" + valid + ")");
            }
            if (!labels.add(label)) {
                throw new UserException("--classes: class " + label + " (" + names.get(label) + ") is listed twice");
            }
        }
        return List.copyOf(labels);
    }

    private static int label(String token, List<String> names) {
        if (token.matches("-?\\d+")) {
            try {
                int l = Integer.parseInt(token);
                return l >= 0 && l < names.size() ? l : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(token)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The split's examples of the chosen classes.
     *
     * @param examples split indices, ascending
     * @param classes  the chosen-class index of each
     * @param counts   images per chosen class
     */
    private record Selection(int[] examples, int[] classes, int[] counts) {}

    private static Selection select(DataSplit split, List<Integer> labels, int numClasses) {
        int[] position = new int[numClasses];
        java.util.Arrays.fill(position, -1);
        for (int c = 0; c < labels.size(); c++) {
            position[labels.get(c)] = c;
        }
        int[] counts = new int[labels.size()];
        int[] examples = new int[split.size()];
        int[] classes = new int[split.size()];
        int n = 0;
        for (int i = 0; i < split.size(); i++) {
            int label = split.label(i);
            int c = label >= 0 && label < numClasses ? position[label] : -1;
            if (c >= 0) {
                examples[n] = i;
                classes[n] = c;
                counts[c]++;
                n++;
            }
        }
        return new Selection(java.util.Arrays.copyOf(examples, n), java.util.Arrays.copyOf(classes, n), counts);
    }

    private static void checkSettings(FewShotRequest r, Dataset data, List<Integer> labels, Selection selection) {
        String where = r.split().id() + " split of " + data.info().name();
        if (labels.size() < 2) {
            throw new UserException("--classes: only " + labels.size() + " class chosen ("
                    + data.info().classes().get(labels.get(0)) + "); episodes need at least 2");
        }
        int maxWays = r.ways().stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (maxWays > labels.size()) {
            throw new UserException("--ways " + maxWays + ": more than the " + labels.size() + " classes to draw from ("
                    + (r.classes().isPresent()
                            ? "--classes " + labels
                            : "every class of " + data.info().name())
                    + "); valid: 2.." + labels.size());
        }
        int maxShots = r.shots().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int smallest = 0;
        for (int c = 1; c < labels.size(); c++) {
            if (selection.counts()[c] < selection.counts()[smallest]) {
                smallest = c;
            }
        }
        int have = selection.counts()[smallest];
        if (maxShots + r.queries() > have) {
            int label = labels.get(smallest);
            throw new UserException(String.format(
                    Locale.ROOT,
                    "--shots %d + --queries %d = %d: more than the %d images of class %d (%s) in the %s; valid: shots "
                            + "+ queries <= %d",
                    maxShots,
                    r.queries(),
                    maxShots + r.queries(),
                    have,
                    label,
                    data.info().classes().get(label),
                    where,
                    have));
        }
    }

    // ---------------------------------------------------------------- results

    private static Map<String, Object> runSection(RunDirectory run, Map<String, Object> runJson, String sha256) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dir", run.path().toString());
        m.put("name", runJson.get("name"));
        m.put("seed", runJson.get("seed"));
        m.put("model", RunDirectory.MODEL);
        m.put("model_sha256", sha256);
        for (String key : List.of("data", "backbone", "loss")) {
            if (runJson.containsKey(key)) {
                m.put(key, runJson.get(key));
            }
        }
        return m;
    }

    private static Map<String, Object> dataSection(ChosenData chosen, FewShotRequest.Split split) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", chosen.id());
        m.put("params", chosen.params().asMap());
        m.put("name", chosen.dataset().info().name());
        m.put("sha256", chosen.dataset().info().fingerprint());
        m.put("shape", chosen.dataset().info().shape().toString());
        m.put("split", split.id());
        return m;
    }

    private static Map<String, Object> protocol(FewShotRequest r, int dim) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ways", distinct(r.ways()));
        m.put("shots", distinct(r.shots()));
        m.put("queries", r.queries());
        m.put("episodes", r.episodes());
        m.put("seed", r.seed());
        List<Map<String, Object>> classifiers = new ArrayList<>();
        for (FewShotMethod c : r.classifiers()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("id", c.id());
            cm.put("recipe", c.recipe());
            classifiers.add(cm);
        }
        m.put("classifiers", classifiers);
        m.put(
                "features",
                "global average of the backbone's last feature map (model.zip, inference mode), " + dim + " values");
        m.put("feature_dim", dim);
        m.put(
                "sampling",
                "per episode: ways distinct classes, then shots + queries distinct images of each (support first); "
                        + "episode e of (ways, shots) is drawn from the seed, ways, shots, queries and e alone");
        m.put("confidence_interval", "1.96 * std / sqrt(episodes), std the population standard deviation");
        return m;
    }

    private static List<Integer> distinct(List<Integer> values) {
        return List.copyOf(new LinkedHashSet<>(values));
    }

    /**
     * Writes {@code json} to {@code out}, or to the run directory's first free {@code fewshot.json},
     * {@code fewshot-2.json}, …: whole (a temporary file beside it, flushed, then hard-linked to its name, which
     * fails rather than replace a file).
     */
    private static Path write(Optional<Path> out, Path runDir, Map<String, Object> json) {
        String text = Json.toJson(json) + "\n";
        if (out.isPresent()) {
            Path file = out.get();
            try {
                Path parent = file.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                publish(file, text);
                return file;
            } catch (FileAlreadyExistsException e) {
                throw new UserException("--out " + file + ": already exists (created while the evaluation ran); "
                        + "camloss never overwrites results");
            } catch (IOException e) {
                throw new UserException("--out " + file + ": cannot be written (" + e.getMessage() + ")", e);
            }
        }
        for (int i = 1; ; i++) {
            Path file = runDir.resolve(i == 1 ? FILE : "fewshot-" + i + ".json");
            if (Files.exists(file)) {
                continue;
            }
            try {
                publish(file, text);
                return file;
            } catch (FileAlreadyExistsException e) {
                // taken meanwhile: the next name
            } catch (IOException e) {
                throw new UserException(file + ": cannot be written (" + e.getMessage() + ")", e);
            }
        }
    }

    private static void publish(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (java.io.FileOutputStream stream = new java.io.FileOutputStream(tmp.toFile())) {
                stream.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                stream.getFD().sync();
            }
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (e instanceof FileAlreadyExistsException fe) {
                    throw fe;
                }
                Files.move(tmp, file); // no hard links here: a move that refuses an existing file
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** SHA-256 (hex) of a file. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UserException(file + ": unreadable (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
