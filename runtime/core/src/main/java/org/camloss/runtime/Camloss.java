package org.camloss.runtime;

import org.camloss.api.UserException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.camloss.api.Backbone;
import org.camloss.api.Distiller;
import org.camloss.api.TeacherSignal;
import java.util.EnumSet;
import java.util.Set;
import org.camloss.runtime.distill.Teacher;
import org.camloss.runtime.run.ModelFiles;
import org.camloss.api.Loss;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;
import org.camloss.api.Regularizer;
import org.camloss.api.data.Dataset;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ConfigLoader;
import org.camloss.runtime.config.ConfigProblem;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.config.PluginSpec;
import org.camloss.engine.Backend;
import org.camloss.runtime.eval.EvalResult;
import org.camloss.runtime.eval.Evaluator;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginPath;
import org.camloss.runtime.optim.Optimizer;
import org.camloss.runtime.optim.Schedule;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.RunDirectory;
import org.camloss.runtime.run.Versions;
import org.camloss.runtime.train.MetricsWriter;
import org.camloss.runtime.train.RunSummary;
import org.camloss.runtime.train.TrainListener;
import org.camloss.runtime.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The library facade: load and validate experiment configs, train them into run directories, evaluate
 * runs. Holds no global state and never exits the JVM; problems with the user's input surface as
 * {@link UserException} (or its {@link ConfigException} cousin), listeners observe training.
 *
 * <pre>{@code
 * Camloss camloss = Camloss.builder().listener(myListener).build();
 * ExperimentConfig config = camloss.loadConfig(Path.of("experiment.yaml"), List.of("train.epochs=2"));
 * TrainResult result = camloss.train(config, null);
 * }</pre>
 */
public final class Camloss {
    private final PluginRegistry registry;
    private final List<TrainListener> listeners;
    private final Path runsRoot;

    private Camloss(Builder b) {
        this.registry = b.registry != null ? b.registry
                : PluginRegistry.discover(PluginPath.classLoader(b.pluginPath, Camloss.class.getClassLoader()));
        this.listeners = List.copyOf(b.listeners);
        this.runsRoot = b.runsRoot;
        Backend.init();
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The plugins this instance knows. */
    public PluginRegistry registry() {
        return registry;
    }

    /** Loads, overrides ({@code path=value}) and validates a config file. */
    public ExperimentConfig loadConfig(Path file, List<String> overrides) {
        return new ConfigLoader(registry).load(file, overrides);
    }

    /** Validates a config given as nested maps (YAML layout). */
    public ExperimentConfig config(Map<String, ?> raw, List<String> overrides) {
        return new ConfigLoader(registry).fromMap(raw, "config", overrides);
    }

    /**
     * Trains {@code config} into a new run directory.
     *
     * @param config    a validated config
     * @param outDir    the run directory to create, or null for {@code <runs>/<name>-<timestamp>}
     * @param extra     listeners for this run only, after the instance's own
     */
    public TrainResult train(ExperimentConfig config, Path outDir, TrainListener... extra) {
        ExperimentModule.Components components = instantiate(config);
        int threads = config.train().threads() > 0 ? config.train().threads()
                : Backend.autoThreads(config.train().batchSize());
        Backend.setThreads(threads);
        RunDirectory run = RunDirectory.create(outDir, runsRoot, config.name());
        List<TrainListener> all = new ArrayList<>(listeners);
        all.addAll(List.of(extra));
        all.add(new MetricsWriter(run.metrics()));
        Injector injector = Guice.createInjector(new ExperimentModule(config, components, all));
        CamModel model = injector.getInstance(CamModel.class);
        Map<String, Object> runJson = new LinkedHashMap<>(config.toMap());
        Map<String, Object> provenance = provenance(config, components.dataset(), model);
        runJson.put("provenance", provenance);
        provenance.put("threads_policy", config.train().threads() > 0 ? "train.threads" : "auto for batch size "
                + config.train().batchSize());
        provenance.put("status", "running");
        Json.write(run.runJson(), runJson);
        try {
            RunSummary summary = injector.getInstance(Trainer.class).run();
            saveModel(model.graph(), run.model());
            provenance.put("status", "completed");
            provenance.put("finished", Instant.now().toString());
            provenance.put("wall_seconds", summary.seconds());
            provenance.put("final_metrics", summary.last());
            Json.write(run.runJson(), runJson);
            return new TrainResult(run.path(), config, summary, model);
        } catch (RuntimeException e) {
            provenance.put("status", "failed");
            provenance.put("error", String.valueOf(e.getMessage()));
            provenance.put("finished", Instant.now().toString());
            Json.write(run.runJson(), runJson);
            throw e;
        }
    }

    /**
     * Trains every variant of {@code base} for each seed into {@code dir/<variant>-seed<seed>}, then writes
     * {@code compare.json} and {@code compare.csv} into {@code dir}.
     *
     * @param base     a validated config
     * @param variants the variants, each as overrides of {@code base}
     * @param seeds    the seeds
     * @param dir      a directory that must not exist yet
     * @param extra    listeners for every run
     * @throws UserException when {@code dir} exists or a variant's overrides are invalid (checked before any training)
     */
    public Comparison compare(ExperimentConfig base, List<Comparison.Variant> variants, List<Long> seeds, Path dir,
                              TrainListener... extra) {
        if (Files.exists(dir)) {
            throw new UserException("--out " + dir + ": already exists; camloss never overwrites results");
        }
        Map<String, ExperimentConfig> configs = new LinkedHashMap<>();
        for (Comparison.Variant v : variants) {
            for (long seed : seeds) {
                List<String> sets = new ArrayList<>(v.overrides());
                sets.add("seed=" + seed);
                sets.add("name=" + base.name() + "-" + v.name());
                ExperimentConfig c = new ConfigLoader(registry).fromMap(base.toMap(), "variant " + v.name(), sets);
                instantiate(c);
                configs.put(v.name() + "-seed" + seed, c);
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException("--out " + dir + ": cannot be created (" + e.getMessage() + ")");
        }
        for (Map.Entry<String, ExperimentConfig> e : configs.entrySet()) {
            TrainResult r = train(e.getValue(), dir.resolve(e.getKey()), extra);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("variant", e.getKey().substring(0, e.getKey().lastIndexOf("-seed")));
            row.put("seed", e.getValue().seed());
            row.put("run_dir", r.runDir().toString());
            row.putAll(r.summary().last());
            row.put("wall_seconds", r.summary().seconds());
            List<Double> curve = new ArrayList<>();
            for (Map<String, Object> epoch : r.summary().epochs()) {
                curve.add(((Number) epoch.get("test_accuracy")).doubleValue());
            }
            row.put(Comparison.EPOCH_TO_95, Comparison.epochTo95(curve));
            row.put(Comparison.CURVE, curve);
            rows.add(row);
        }
        Comparison result = new Comparison(variants.stream().map(Comparison.Variant::name).toList(), rows);
        result.write(dir);
        return result;
    }

    /** Evaluates a finished run on its test split; writes {@code eval.json} into the run directory. */
    public EvalReport evaluate(Path runDir) {
        RunDirectory run = RunDirectory.open(runDir);
        Map<String, Object> raw;
        try {
            raw = Json.read(run.runJson());
        } catch (IOException e) {
            throw new UserException(run.runJson() + ": unreadable JSON (" + e.getMessage() + ")");
        }
        Object provenance = raw.remove("provenance");
        ExperimentConfig config;
        try {
            config = new ConfigLoader(registry).fromMap(raw, run.runJson().toString(), List.of());
        } catch (ConfigException e) {
            throw withPluginHints(e, provenance);
        }
        if (!Files.isRegularFile(run.model())) {
            throw new UserException(run.model() + ": missing; the run did not finish (see 'status' in "
                    + RunDirectory.RUN_JSON + ")");
        }
        ExperimentModule.Components components = instantiate(config.distill().isPresent()
                ? new ExperimentConfig(config.name(), config.seed(), config.data(), config.backbone(), config.loss(),
                config.regularizers(), config.optimizer(), config.schedule(), config.train(), java.util.Optional.empty())
                : config);
        CamModel model = loadModel(run.model(), components.backbone(), components.dataset());
        EvalResult result = new Evaluator(Math.max(256, config.train().batchSize()))
                .evaluate(model, components.dataset().test(), components.dataset().info());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run", run.path().toString());
        json.put("dataset", components.dataset().info().name());
        json.put("evaluated", Instant.now().toString());
        json.putAll(result.toJson());
        Json.write(run.evalJson(), json);
        return new EvalReport(run.path(), config, result);
    }

    /**
     * {@code e} with a hint on each unknown plugin id that the run's provenance says came from a jar: the run was
     * trained with a plugin that is not on the plugin path now.
     */
    private static ConfigException withPluginHints(ConfigException e, Object provenance) {
        Map<String, String> jars = new LinkedHashMap<>();
        if (provenance instanceof Map<?, ?> p && p.get("plugins") instanceof List<?> plugins) {
            for (Object o : plugins) {
                if (o instanceof Map<?, ?> m && m.get("id") != null && m.get("jar") != null && m.get("kind") != null) {
                    jars.put(m.get("kind") + " " + m.get("id"), String.valueOf(m.get("jar")));
                }
            }
        }
        List<ConfigProblem> problems = new ArrayList<>();
        boolean hinted = false;
        for (ConfigProblem problem : e.problems()) {
            String hint = "";
            for (Map.Entry<String, String> j : jars.entrySet()) {
                String[] kindId = j.getKey().split(" ", 2);
                if (problem.message().startsWith("no " + kindId[0] + " plugin '" + kindId[1] + "'")) {
                    hint = " (the run was trained with it from " + j.getValue() + "; put that jar on the plugin "
                            + "path, e.g. --plugins " + j.getValue() + ")";
                    hinted = true;
                }
            }
            problems.add(new ConfigProblem(problem.path(), problem.message() + hint, problem.source()));
        }
        return hinted ? new ConfigException(problems) : e;
    }

    /** Reads a model written by {@link #train} and checks it fits the dataset. */
    static CamModel loadModel(Path file, Backbone backbone, Dataset data) {
        CamModel loaded = ModelFiles.load(file, "model", data.info().shape());
        if (loaded.head().getClasses() != data.info().numClasses()) {
            throw new UserException(file + ": the model has " + loaded.head().getClasses()
                    + " classes but the dataset " + data.info().name() + " has " + data.info().numClasses());
        }
        return new CamModel(loaded.graph(), loaded.featureVertex(), backbone.info(), loaded.inputShape());
    }

    private static void saveModel(ComputationGraph graph, Path file) {
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            ModelSerializer.writeModel(graph, tmp.toFile(), true);
            Json.moveAtomically(tmp, file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Makes every plugin of {@code config}, reporting every factory's refusal at once. */
    ExperimentModule.Components instantiate(ExperimentConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        Dataset data = make(PluginKind.DATASET, config.data(), "data", problems, f -> f);
        Backbone backbone = make(PluginKind.BACKBONE, config.backbone(), "backbone", problems, f -> f);
        Loss loss = make(PluginKind.LOSS, config.loss(), "loss", problems, f -> f);
        List<Regularizer> regs = new ArrayList<>();
        for (int i = 0; i < config.regularizers().size(); i++) {
            regs.add(make(PluginKind.REGULARIZER, config.regularizers().get(i), "regularizers." + i, problems, f -> f));
        }
        Optimizer optimizer = make(PluginKind.OPTIMIZER, config.optimizer(), "optimizer", problems, f -> f);
        Schedule schedule = make(PluginKind.SCHEDULE, config.schedule(), "schedule", problems, f -> f);
        List<Distiller> distillers = new ArrayList<>();
        if (config.distill().isPresent()) {
            List<PluginSpec> specs = config.distill().get().distillers();
            for (int i = 0; i < specs.size(); i++) {
                distillers.add(make(PluginKind.DISTILLER, specs.get(i), "distill.distillers." + i, problems, f -> f));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Teacher teacher = null;
        if (config.distill().isPresent()) {
            Set<TeacherSignal> signals = EnumSet.noneOf(TeacherSignal.class);
            distillers.forEach(d -> signals.addAll(d.requires()));
            int[] map = backbone.info().outputSize(data.info().shape());
            teacher = Teacher.load(Path.of(config.distill().get().teacher()), config.distill().get().teacherGraph(),
                    data.info(), map, signals);
            for (int i = 0; i < distillers.size(); i++) {
                try {
                    distillers.get(i).check(backbone.info(), teacher.net().info());
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem("distill.distillers." + i + ".params", e.getMessage(), "config"));
                }
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            if (config.distill().get().cacheTeacher()) {
                if (!data.augmentation().isNone() || !regs.isEmpty()) {
                    throw new ConfigException(List.of(new ConfigProblem("distill.cache_teacher",
                            "needs batches that are not augmented or mixed, but the config has "
                                    + (regs.isEmpty() ? "data augmentation (crop_padding/flip)" : "regularizers")
                                    + "; set cache_teacher: false", "config")));
                }
                long bytes = teacher.cacheBytes(data.train().size());
                long limit = Runtime.getRuntime().maxMemory() / 4;
                if (bytes > limit) {
                    throw new ConfigException(List.of(new ConfigProblem("distill.cache_teacher",
                            String.format(java.util.Locale.ROOT, "would hold %.1f GB of teacher outputs for %d "
                                    + "examples (more than a quarter of the %.1f GB heap; stage maps are large); set "
                                    + "cache_teacher: false", bytes / 1e9, data.train().size(),
                                    Runtime.getRuntime().maxMemory() / 1e9), "config")));
                }
                teacher.enableCache(data.train().size());
            }
        }
        return new ExperimentModule.Components(data, backbone, loss, regs, distillers, optimizer, schedule, teacher);
    }

    private <F extends PluginFactory<T>, T> T make(PluginKind<F> kind, PluginSpec spec, String path,
                                                     List<ConfigProblem> problems, Function<T, T> post) {
        F factory = registry.find(kind, spec.id()).orElseThrow(() -> new ConfigException(List.of(
                new ConfigProblem(path + ".id", registry.unknownIdMessage(kind, spec.id()), "config"))));
        try {
            return post.apply(factory.create(Params.ofResolved(spec.params())));
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(path + ".params", e.getMessage(), "config"));
            return null;
        }
    }

    /** Each plugin the config names: its kind, id, class, jar and version. */
    private List<Map<String, Object>> plugins(ExperimentConfig config) {
        List<Map<String, Object>> out = new ArrayList<>();
        java.util.function.BiConsumer<PluginKind<?>, PluginSpec> add = (kind, spec) -> registry.find(kind, spec.id())
                .ifPresent(f -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("kind", kind.name());
                    m.put("id", spec.id());
                    m.put("class", f.getClass().getName());
                    m.putAll(PluginRegistry.origin(f).toMap());
                    out.add(m);
                });
        add.accept(PluginKind.DATASET, config.data());
        add.accept(PluginKind.BACKBONE, config.backbone());
        add.accept(PluginKind.LOSS, config.loss());
        config.regularizers().forEach(r -> add.accept(PluginKind.REGULARIZER, r));
        config.distill().ifPresent(d -> d.distillers().forEach(x -> add.accept(PluginKind.DISTILLER, x)));
        add.accept(PluginKind.OPTIMIZER, config.optimizer());
        add.accept(PluginKind.SCHEDULE, config.schedule());
        return out;
    }

    private Map<String, Object> provenance(ExperimentConfig config, Dataset data, CamModel model) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("camloss_version", Versions.camloss());
        p.put("dl4j_version", Versions.dl4j());
        p.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        p.put("cores", Runtime.getRuntime().availableProcessors());
        p.putAll(Backend.describe());
        p.put("seed", config.seed());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", data.info().name());
        d.put("sha256", data.info().fingerprint());
        d.put("classes", data.info().classes());
        d.put("shape", data.info().shape().toString());
        d.put("train_size", data.train().size());
        d.put("test_size", data.test().size());
        p.put("dataset", d);
        p.put("plugins", plugins(config));
        p.put("parameters", model.graph().numParams());
        p.put("backbone_channels", model.backboneInfo().channels());
        p.put("backbone_stride", model.backboneInfo().stride());
        p.put("started", Instant.now().toString());
        return p;
    }

    /** Configures a {@link Camloss}. */
    public static final class Builder {
        private PluginRegistry registry;
        private final List<TrainListener> listeners = new ArrayList<>();
        private Path runsRoot = Path.of("runs");

        private final List<PluginPath.Entry> pluginPath = new ArrayList<>();

        /**
         * Plugin jars (or directories of jars) to load beside the class path; their factories are found with
         * ServiceLoader like the built-in ones. Ignored when a {@link #registry} is given.
         */
        public Builder pluginPath(List<PluginPath.Entry> entries) {
            pluginPath.addAll(entries);
            return this;
        }

        /** Plugins to use instead of those found with ServiceLoader. */
        public Builder registry(PluginRegistry registry) {
            this.registry = Objects.requireNonNull(registry);
            return this;
        }

        /** A listener for every run. */
        public Builder listener(TrainListener listener) {
            listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /** Where runs go when no directory is given (default {@code runs}). */
        public Builder runsRoot(Path runsRoot) {
            this.runsRoot = Objects.requireNonNull(runsRoot);
            return this;
        }

        public Camloss build() {
            return new Camloss(this);
        }
    }

    /**
     * A finished training run.
     *
     * @param runDir  its directory
     * @param config  the resolved config
     * @param summary per-epoch metrics
     * @param model   the trained model
     */
    public record TrainResult(Path runDir, ExperimentConfig config, RunSummary summary, CamModel model) {
    }

    /**
     * An evaluation of a run.
     *
     * @param runDir the run
     * @param config its config
     * @param result the metrics
     */
    public record EvalReport(Path runDir, ExperimentConfig config, EvalResult result) {
    }
}
