package org.camloss.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.camloss.api.Backbone;
import org.camloss.api.UserException;
import org.camloss.api.data.Dataset;
import org.camloss.engine.Backend;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ConfigLoader;
import org.camloss.runtime.config.ConfigProblem;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.config.PluginSpec;
import org.camloss.runtime.eval.EvalResult;
import org.camloss.runtime.eval.Evaluator;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginPath;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.run.Checkpoints;
import org.camloss.runtime.run.Json;
import org.camloss.runtime.run.ModelFiles;
import org.camloss.runtime.run.Provenance;
import org.camloss.runtime.run.RunDirectory;
import org.camloss.runtime.train.MetricsWriter;
import org.camloss.runtime.train.RunStore;
import org.camloss.runtime.train.RunSummary;
import org.camloss.runtime.train.TrainListener;
import org.camloss.runtime.train.TrainState;
import org.camloss.runtime.train.TrainingCancelledException;
import org.camloss.runtime.wiring.ExperimentParts;
import org.camloss.runtime.wiring.Wiring;

/**
 * The library facade: load and validate experiment configs, train them into run directories, evaluate runs.
 *
 * <pre>{@code
 * Camloss camloss = Camloss.builder().listener(myListener).build();
 * ExperimentConfig config = camloss.loadConfig(Path.of("experiment.yaml"), List.of("train.epochs=2"));
 * TrainResult result = camloss.train(config, null);
 * }</pre>
 *
 * <p>What an embedding application can rely on:
 * <ul>
 *   <li>No {@code System.exit}, no console output: progress reaches {@link TrainListener}s only. DL4J and ND4J log
 *       through SLF4J; camloss ships no logging binding, so without one of the host's SLF4J prints its one-time
 *       "no binding" notice.</li>
 *   <li>One exception root, {@link org.camloss.api.CamlossException}: {@link UserException} for bad input (a
 *       {@link ConfigException} lists every config problem; a
 *       {@link org.camloss.runtime.registry.PluginLoadException} names broken plugin jars),
 *       {@link org.camloss.runtime.train.TrainingFailedException} for a run that diverged or whose plugin failed,
 *       {@link org.camloss.runtime.train.TrainingCancelledException} when the training thread is interrupted.</li>
 *   <li>No global state of its own: instances are independent and several runs may follow each other in one JVM.
 *       What DL4J and ND4J keep process-wide is applied only as {@link RuntimeSettings} ask ({@link
 *       RuntimeSettings#library() none} by default; the command line uses {@link RuntimeSettings#commandLine()}),
 *       except an explicit {@code train.threads} in a config. SameDiff 1.0.0-M2.1 prints a line per operation on
 *       {@code System.out} when it builds a gradient graph (a loss term without a hand-written kernel); camloss
 *       swaps {@code System.out} for a filter during that call.</li>
 * </ul>
 */
public final class Camloss {
    private final PluginRegistry registry;
    private final List<TrainListener> listeners;
    private final Path runsRoot;
    private final RuntimeSettings settings;

    private Camloss(Builder b) {
        this.settings = b.settings;
        if (settings.oneDnnHelpers()) {
            Backend.enableLayerHelpers();
        }
        this.registry = b.registry != null
                ? b.registry
                : PluginRegistry.discover(PluginPath.classLoader(b.pluginPath, Camloss.class.getClassLoader()));
        this.listeners = List.copyOf(b.listeners);
        this.runsRoot = b.runsRoot;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The plugins this instance knows. */
    public PluginRegistry registry() {
        return registry;
    }

    /** The process-wide settings this instance applies. */
    public RuntimeSettings settings() {
        return settings;
    }

    /**
     * Loads, overrides ({@code path=value}) and validates a config file.
     *
     * @throws ConfigException listing every problem
     */
    public ExperimentConfig loadConfig(Path file, List<String> overrides) {
        return new ConfigLoader(registry).load(file, overrides);
    }

    /**
     * Validates a config given as nested maps (YAML layout).
     *
     * @throws ConfigException listing every problem
     */
    public ExperimentConfig config(Map<String, ?> raw, List<String> overrides) {
        return new ConfigLoader(registry).fromMap(raw, "config", overrides);
    }

    /**
     * Trains {@code config} into a new run directory.
     *
     * @param config a validated config
     * @param outDir the run directory to create, or null for {@code <runs>/<name>-<timestamp>}
     * @param extra  listeners for this run only, after the instance's own
     * @throws UserException   when the data, the teacher, the backbone's declaration or the run directory cannot be
     *     used (nothing is written)
     * @throws org.camloss.runtime.train.TrainingFailedException    when training diverges or a plugin fails; the
     *     run directory says so
     * @throws org.camloss.runtime.train.TrainingCancelledException when the thread is interrupted
     */
    public TrainResult train(ExperimentConfig config, Path outDir, TrainListener... extra) {
        ExperimentParts parts = ExperimentParts.make(registry, config);
        String threadsPolicy = applyThreads(config);
        Wiring.TrainingRun wired = Wiring.training(config, parts, settings.gcInterval());
        org.camloss.runtime.engine.TrainingEngine engine = startEngine(config, wired, parts);
        RunDirectory run;
        try {
            run = RunDirectory.create(outDir, runsRoot, config.name());
        } catch (RuntimeException e) {
            if (engine != null) {
                engine.close();
            }
            throw e;
        }
        Provenance provenance =
                Provenance.start(config, parts.dataset(), wired.model(), plugins(config), threadsPolicy);
        if (parts.init() != null) {
            provenance.toMap().put("init", parts.init().describe());
        }
        Map<String, Object> runJson = new LinkedHashMap<>(config.toMap());
        config.engine()
                .ifPresent(e -> runJson.put(
                        "engine",
                        org.camloss.runtime.engine.Engines.discover(Camloss.class.getClassLoader())
                                .resolvedNode(e.id(), e.params())));
        runJson.put("provenance", provenance.toMap());
        Json.write(run.runJson(), runJson);
        return trainInto(run, config, wired, engine, provenance, runJson, TrainState.fresh(), List.of(), extra);
    }

    /**
     * Starts the engine the config's {@code engine} section names (found with {@link java.util.ServiceLoader} on the
     * class path of camloss itself, e.g. camloss-spark's jar), or returns null for training in this process.
     *
     * @throws UserException naming an unknown engine (with the available ones) or every bad engine setting
     */
    private static org.camloss.runtime.engine.TrainingEngine startEngine(
            ExperimentConfig config, Wiring.TrainingRun wired, ExperimentParts parts) {
        if (config.engine().isEmpty()) {
            return null;
        }
        var spec = config.engine().get();
        return org.camloss.runtime.engine.Engines.discover(Camloss.class.getClassLoader())
                .start(
                        spec.id(),
                        spec.params(),
                        new org.camloss.runtime.engine.EngineJob(
                                config,
                                wired.model(),
                                parts.dataset(),
                                java.util.Optional.ofNullable(parts.teacher())));
    }

    /**
     * Continues an interrupted or failed run from its newest checkpoint, in its own directory: the model, updater
     * state and schedule position from the checkpoint, the data order, augmentation and regularizer draws as the
     * uninterrupted run would have drawn them, the metrics of the epochs before the checkpoint kept.
     *
     * @param runDir a run directory written by {@link #train}
     * @param extra  listeners for this run only, after the instance's own
     * @throws UserException when the directory is not a run, the run still runs in another process, has finished,
     *     or has no checkpoint
     */
    public TrainResult resume(Path runDir, TrainListener... extra) {
        RunDirectory run = RunDirectory.open(runDir);
        Map<String, Object> runJson = readRunJson(run);
        @SuppressWarnings("unchecked")
        Map<String, Object> section =
                runJson.get("provenance") instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
        Provenance.Status status = Provenance.status(section);
        if (status.status().equals(Provenance.RUNNING)) {
            throw new UserException(run.path() + ": still running (" + status.detail() + "); resume only a run "
                    + "whose process has stopped");
        }
        if (status.status().equals(Provenance.FINISHED)) {
            throw new UserException(run.path() + ": finished; nothing to resume (train a new run, or raise "
                    + "train.epochs in a copy of its run.json)");
        }
        Path checkpoint = run.checkpoints()
                .latest()
                .orElseThrow(() -> new UserException(run.path() + ": has no " + "checkpoint in "
                        + RunDirectory.CHECKPOINTS + "/ (it stopped before its first one); train it again"));
        TrainState state = Checkpoints.state(checkpoint);
        Map<String, Object> raw = new LinkedHashMap<>(runJson);
        raw.remove("provenance");
        ExperimentConfig config =
                new ConfigLoader(registry).fromMap(raw, run.runJson().toString(), List.of());
        ExperimentParts parts = ExperimentParts.make(registry, config.withoutInit());
        applyThreads(config);
        org.deeplearning4j.nn.graph.ComputationGraph graph;
        try {
            graph = org.camloss.api.layers.StoredModels.readGraph(checkpoint, true);
        } catch (IOException | RuntimeException e) {
            throw new UserException(checkpoint + ": not a readable checkpoint (" + e.getMessage() + ")", e);
        }
        Wiring.TrainingRun wired = Wiring.resumed(config, parts, settings.gcInterval(), graph);
        org.camloss.runtime.engine.TrainingEngine engine = startEngine(config, wired, parts);
        List<Map<String, Object>> earlier;
        try {
            earlier = MetricsWriter.read(run.metrics());
        } catch (IOException e) {
            throw new UserException(run.metrics() + ": unreadable (" + e.getMessage() + ")", e);
        }
        earlier = earlier.stream()
                .filter(r -> r.get("epoch") instanceof Number n && n.intValue() <= state.epoch())
                .toList();
        MetricsWriter.rewrite(run.metrics(), earlier);
        Provenance provenance = Provenance.of(section);
        runJson.put("provenance", section);
        provenance.resumed(checkpoint);
        Json.write(run.runJson(), runJson);
        return trainInto(run, config, wired, engine, provenance, runJson, state, earlier, extra);
    }

    /** Trains a wired run into its directory from {@code start}, keeping {@code run.json}'s status true. */
    private TrainResult trainInto(
            RunDirectory run,
            ExperimentConfig config,
            Wiring.TrainingRun wired,
            org.camloss.runtime.engine.TrainingEngine engine,
            Provenance provenance,
            Map<String, Object> runJson,
            TrainState start,
            List<Map<String, Object>> earlier,
            TrainListener... extra) {
        List<TrainListener> all = new ArrayList<>(listeners);
        all.addAll(List.of(extra));
        all.add(new MetricsWriter(run.metrics()));
        RunStore store = new DirectoryStore(run, wired.model(), config.train().checkpointsKept(), provenance, runJson);
        org.camloss.runtime.train.Trainer trainer = wired.trainer(all, store);
        if (engine != null) {
            trainer.onEngine(engine);
            provenance.toMap().put("engine", engine.provenance());
        }
        try {
            RunSummary summary = trainer.run(start, earlier);
            if (engine != null) {
                provenance.toMap().put("engine", engine.provenance());
            }
            ModelFiles.save(wired.model().graph(), run.model());
            provenance.finished(summary);
            Json.write(run.runJson(), runJson);
            return new TrainResult(run.path(), config, summary, wired.model());
        } catch (TrainingCancelledException e) {
            provenance.interrupted(e);
            Json.write(run.runJson(), runJson);
            throw e;
        } catch (RuntimeException e) {
            provenance.failed(e);
            Json.write(run.runJson(), runJson);
            throw e;
        } finally {
            if (engine != null) {
                engine.close();
            }
        }
    }

    /** Keeps a run's checkpoints, best model and heartbeat in its directory. */
    private record DirectoryStore(
            RunDirectory run, CamModel model, int keep, Provenance provenance, Map<String, Object> runJson)
            implements RunStore {
        @Override
        public void checkpoint(TrainState state, String reason) {
            run.checkpoints().save(model.graph(), state, keep);
            heartbeat();
        }

        @Override
        public void best(int epoch, String metric, double value) {
            ModelFiles.save(model.graph(), run.modelBest());
            provenance.toMap().put("best", Map.of("epoch", epoch, "metric", metric, "value", value));
            Json.write(run.runJson(), runJson);
        }

        @Override
        public void heartbeat() {
            provenance.heartbeat();
            Json.write(run.runJson(), runJson);
        }
    }

    private static Map<String, Object> readRunJson(RunDirectory run) {
        try {
            return Json.read(run.runJson());
        } catch (IOException e) {
            throw new UserException(run.runJson() + ": unreadable JSON (" + e.getMessage() + ")");
        }
    }

    /** Sets ND4J's threads as the config and {@link RuntimeSettings#autoThreads()} say; returns how they were chosen. */
    private String applyThreads(ExperimentConfig config) {
        if (config.train().threads() > 0) {
            Backend.setThreads(config.train().threads());
            return "train.threads";
        }
        if (settings.autoThreads()) {
            Backend.setThreads(Backend.autoThreads());
            return "auto (OMP_NUM_THREADS, else every core)";
        }
        return "ND4J default";
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
    public Comparison compare(
            ExperimentConfig base,
            List<Comparison.Variant> variants,
            List<Long> seeds,
            Path dir,
            TrainListener... extra) {
        return compare(base, variants, seeds, dir, null, extra);
    }

    /**
     * As {@link #compare(ExperimentConfig, List, List, Path, TrainListener...)}, and with {@code faithfulness} each
     * run's faithfulness metrics measured after it trains (as {@code eval --faithfulness}; the methods are checked
     * before anything trains), added to its row as {@code <method>_deletion_auc}, {@code <method>_insertion_auc},
     * {@code <method>_average_drop} and {@code <method>_increase_in_confidence} (see
     * {@link org.camloss.runtime.explain.EvalFaithfulness#flatten}).
     *
     * @param faithfulness what to measure per run, or null for nothing
     */
    public Comparison compare(
            ExperimentConfig base,
            List<Comparison.Variant> variants,
            List<Long> seeds,
            Path dir,
            org.camloss.runtime.explain.EvalFaithfulness faithfulness,
            TrainListener... extra) {
        if (faithfulness != null) {
            faithfulness.check(registry);
        }
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
                ExperimentParts.make(registry, c);
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
            if (faithfulness != null) {
                row.putAll(org.camloss.runtime.explain.EvalFaithfulness.flatten(
                        org.camloss.runtime.explain.EvalFaithfulness.measure(
                                registry,
                                r.runDir(),
                                false,
                                faithfulness,
                                org.camloss.runtime.explain.ExplainListener.NONE)));
            }
            row.put(Comparison.EPOCH_TO_95, Comparison.epochTo95(curve));
            row.put(Comparison.CURVE, curve);
            rows.add(row);
        }
        Comparison result =
                new Comparison(variants.stream().map(Comparison.Variant::name).toList(), rows);
        result.write(dir);
        return result;
    }

    /** Which of a run's models to evaluate. */
    public enum ModelChoice {
        /** {@code model.zip}: the last epoch's. */
        LAST,
        /** {@code model-best.zip}: the best epoch's by the tracked metric. */
        BEST
    }

    /**
     * Evaluates a finished run's last model on its test split; writes {@code eval.json} into the run directory.
     *
     * @throws UserException when the directory is not a finished run, or its plugins, data or model cannot be used
     */
    public EvalReport evaluate(Path runDir) {
        return evaluate(runDir, ModelChoice.LAST);
    }

    /**
     * Evaluates one of a finished run's models on its test split; writes {@code eval.json} (or
     * {@code eval-best.json}) into the run directory.
     *
     * @throws UserException when the directory is not a finished run (the message says whether it still runs,
     *     failed or was interrupted), the model asked for does not exist, or its plugins, data or model cannot be used
     */
    public EvalReport evaluate(Path runDir, ModelChoice which) {
        return evaluate(runDir, which, null, org.camloss.runtime.explain.ExplainListener.NONE);
    }

    /**
     * As {@link #evaluate(Path, ModelChoice)}, and with {@code faithfulness} also the faithfulness metrics of CAM
     * methods' maps for the predicted class on the first test images (deletion and insertion AUC, Petsiuk et al. 2018;
     * average drop and increase in confidence, Chattopadhay et al. 2018), in {@code eval.json}'s {@code faithfulness}
     * section (see {@link org.camloss.runtime.explain.EvalFaithfulness}). They are measured first, so a bad method
     * is refused before the evaluation and nothing is written.
     *
     * @param faithfulness what to measure, or null for nothing
     * @param listener     progress of the faithfulness games
     * @throws UserException as {@link #evaluate(Path, ModelChoice)}, and for an unknown CAM method or one that needs
     *     a global average pooling + linear head the model lacks
     */
    public EvalReport evaluate(
            Path runDir,
            ModelChoice which,
            org.camloss.runtime.explain.EvalFaithfulness faithfulness,
            org.camloss.runtime.explain.ExplainListener listener) {
        RunDirectory run = RunDirectory.open(runDir);
        Map<String, Object> raw = readRunJson(run);
        Object provenance = raw.remove("provenance");
        ExperimentConfig config;
        try {
            config = new ConfigLoader(registry).fromMap(raw, run.runJson().toString(), List.of());
        } catch (ConfigException e) {
            throw withPluginHints(e, provenance);
        }
        Path model = which == ModelChoice.BEST ? run.modelBest() : run.model();
        if (!Files.isRegularFile(model)) {
            throw new UserException(model + ": missing; " + whyNoModel(run, provenance, which));
        }
        Map<String, Object> faith = faithfulness == null
                ? null
                : org.camloss.runtime.explain.EvalFaithfulness.measure(
                        registry, run.path(), which == ModelChoice.BEST, faithfulness, listener);
        ExperimentParts parts =
                ExperimentParts.make(registry, config.withoutDistillation().withoutInit());
        CamModel loaded = loadModel(model, parts.backbone(), parts.dataset());
        EvalResult result = new Evaluator(Math.max(256, config.train().batchSize()))
                .evaluate(loaded, parts.dataset().test(), parts.dataset().info());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run", run.path().toString());
        json.put("model", model.getFileName().toString());
        json.put("dataset", parts.dataset().info().name());
        json.put("evaluated", Instant.now().toString());
        json.putAll(result.toJson());
        if (faith != null) {
            json.put("faithfulness", faith);
        }
        List<String> nonFinite = Json.nonFinite(json);
        if (!nonFinite.isEmpty()) {
            json.put(
                    "warnings",
                    nonFinite.stream().map(k -> k + ": no finite value").toList());
        }
        Json.write(which == ModelChoice.BEST ? run.path().resolve("eval-best.json") : run.evalJson(), json);
        return new EvalReport(run.path(), config, result, java.util.Optional.ofNullable(faith));
    }

    /**
     * Few-shot evaluation of a finished run's frozen features: extracts the backbone's pooled features of every image
     * of the chosen classes of a dataset once, draws class-balanced episodes from the request's seed, classifies each
     * episode's queries with each classifier, and writes the mean accuracy ± 95 % confidence interval per
     * (classifier, ways, shots) with every setting and the model's SHA-256 to a new results file (the run directory's
     * first free {@code fewshot.json}, {@code fewshot-2.json}, …, or the request's {@code out}, never an existing file).
     * See {@link org.camloss.runtime.fewshot.FewShot}.
     *
     * @param request  what to evaluate
     * @param listener progress of the feature extraction and of each setting
     * @throws UserException when the run is missing or unfinished, the dataset, its parameters, classes or image shape
     *     do not fit, or a setting cannot be sampled; checked before anything is extracted or written
     */
    public org.camloss.runtime.fewshot.FewShotResult fewShot(
            org.camloss.runtime.fewshot.FewShotRequest request, org.camloss.runtime.fewshot.FewShotListener listener) {
        return org.camloss.runtime.fewshot.FewShot.run(registry, request, listener);
    }

    /**
     * Explains a model's predictions with CAM methods: for every image (files, or a split of the run's or another
     * dataset), each method's raw map at the chosen layer, PNG overlays upsampled to the image as {@code camloss demo}
     * draws them, a grid, {@code maps.npz} and {@code explain.json}, and on request the faithfulness metrics (deletion
     * and insertion AUC, average drop, increase in confidence) and, with masks, the pointing game, energy and IoU.
     * Works for camloss runs, camloss model files and plain DL4J graphs. Writes into a new directory (never an
     * existing one), whole or not at all. See {@link org.camloss.runtime.explain.Explain}.
     *
     * @param request  what to explain and how
     * @param listener progress, per batch
     * @throws UserException for bad input (model, layer, methods, images, masks, target, output directory), before
     *     anything is written
     */
    public org.camloss.runtime.explain.ExplainResult explain(
            org.camloss.runtime.explain.ExplainRequest request, org.camloss.runtime.explain.ExplainListener listener) {
        return org.camloss.runtime.explain.Explain.run(registry, request, listener);
    }

    /** Why a run has no model file: it still trains, failed, was interrupted, or has no best model. */
    private static String whyNoModel(RunDirectory run, Object provenance, ModelChoice which) {
        @SuppressWarnings("unchecked")
        Map<String, Object> section = provenance instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Provenance.Status status = Provenance.status(section);
        return switch (status.status()) {
            case Provenance.RUNNING -> "the run is still training (" + status.detail() + ")";
            case Provenance.FAILED -> "the run failed: " + status.detail();
            case Provenance.INTERRUPTED -> "the run was interrupted (" + status.detail() + "); continue it with "
                    + "'camloss resume " + run.path() + "'";
            default -> which == ModelChoice.BEST
                    ? "this run kept no best model (it has one only with train.early_stopping or a validation split)"
                    : "the run did not finish (see 'status' in " + RunDirectory.RUN_JSON + ")";
        };
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
            throw new UserException(file + ": the model has " + loaded.head().getClasses() + " classes but the dataset "
                    + data.info().name() + " has " + data.info().numClasses());
        }
        return new CamModel(loaded.graph(), loaded.featureVertex(), backbone.info(), loaded.inputShape());
    }

    /** Makes every plugin of {@code config} (for tests in this package). */
    ExperimentParts instantiate(ExperimentConfig config) {
        return ExperimentParts.make(registry, config);
    }

    /** Each plugin the config names: its kind, id, class, jar and version. */
    private List<Map<String, Object>> plugins(ExperimentConfig config) {
        List<Map<String, Object>> out = new ArrayList<>();
        java.util.function.BiConsumer<PluginKind<?>, PluginSpec> add =
                (kind, spec) -> registry.find(kind, spec.id()).ifPresent(f -> {
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

    /** Configures a {@link Camloss}. */
    public static final class Builder {
        private PluginRegistry registry;
        private final List<TrainListener> listeners = new ArrayList<>();
        private final List<PluginPath.Entry> pluginPath = new ArrayList<>();
        private Path runsRoot = Path.of("runs");
        private RuntimeSettings settings = RuntimeSettings.library();

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

        /** The process-wide settings to apply (default {@link RuntimeSettings#library()}: none). */
        public Builder settings(RuntimeSettings settings) {
            this.settings = Objects.requireNonNull(settings);
            return this;
        }

        /**
         * The facade.
         *
         * @throws org.camloss.runtime.registry.PluginLoadException when a plugin cannot be used
         * @throws UserException when a plugin path entry does not exist or is not a jar
         */
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
    public record TrainResult(Path runDir, ExperimentConfig config, RunSummary summary, CamModel model) {}

    /**
     * An evaluation of a run.
     *
     * @param runDir the run
     * @param config its config
     * @param result the metrics
     * @param faithfulness eval.json's faithfulness section, when measured
     */
    public record EvalReport(
            Path runDir,
            ExperimentConfig config,
            EvalResult result,
            java.util.Optional<Map<String, Object>> faithfulness) {
        /** A report without faithfulness metrics. */
        public EvalReport(Path runDir, ExperimentConfig config, EvalResult result) {
            this(runDir, config, result, java.util.Optional.empty());
        }
    }
}
