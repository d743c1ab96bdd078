package org.camloss.runtime.config;

import static org.camloss.runtime.config.Nodes.describe;
import static org.camloss.runtime.config.Nodes.stringKeys;

import io.vavr.Tuple;
import io.vavr.Tuple0;
import io.vavr.collection.Seq;
import io.vavr.control.Validation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;
import org.camloss.api.Suggestions;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;

/**
 * Checks a raw config tree against the config layout and the registry, and resolves it into an
 * {@link ExperimentConfig}, accumulating every problem (Vavr {@link Validation}). Every parameter, of plugins, of
 * the built-in optimizers and schedules and of the {@code train} section, goes through {@link Params#check}, and
 * the rules between a plugin's parameters ({@link PluginFactory#validate}) are checked in the same pass. Problems
 * carry config paths but no source; {@link ConfigLoader} attributes them.
 */
final class ConfigValidator {
    /** The section of a run's {@code run.json} that is not configuration. */
    static final String PROVENANCE = "provenance";

    static final List<String> TOP_KEYS = List.of(
            "name",
            "seed",
            "data",
            "backbone",
            "loss",
            "regularizers",
            "optimizer",
            "schedule",
            "train",
            "distill",
            "init",
            "freeze",
            "lr_mult",
            "engine");
    /** The keys of {@code init}. */
    static final List<ParamSpec> INIT = List.of(
            ParamSpec.ofString("from", "", "a run directory, its model.zip, or a DL4J ComputationGraph file"),
            ParamSpec.ofChoice(
                    "parts",
                    "backbone",
                    List.of("backbone", "all"),
                    "backbone: the head starts afresh; all: the head too (same class count)"),
            ParamSpec.ofChoice(
                    "first_conv",
                    "refuse",
                    List.of("refuse", "adapt"),
                    "input channels differ from the source's: refuse, or adapt the first convolution as timm's "
                            + "adapt_input_conv"));
    /** The keys of {@code freeze}. */
    static final List<ParamSpec> FREEZE = List.of(
            ParamSpec.ofBoolean("backbone", false, "freeze the whole backbone (a linear probe)"),
            ParamSpec.ofInt("stages", 0, 0, 1000, "freeze the first this many declared stages of the backbone"),
            ParamSpec.ofChoice(
                    "batch_norm",
                    "inference",
                    List.of("inference", "train"),
                    "frozen batch norms use their running statistics (inference) or the batch's (train)"));
    /** The keys of {@code lr_mult}. */
    static final List<ParamSpec> LR_MULT = List.of(
            ParamSpec.ofDouble(
                    "backbone",
                    1.0,
                    org.camloss.api.Range.closed(0, 100),
                    "multiplier of the backbone's learning rate (0: no updates)"),
            ParamSpec.ofDouble(
                    "head", 1.0, org.camloss.api.Range.closed(0, 100), "multiplier of the head's learning rate"));

    static final List<String> NODE_KEYS = List.of("id", "params");
    /** The keys of the {@code data} node: a node's, and {@code classes}. */
    static final List<String> DATA_KEYS = List.of("id", "params", "classes", "train_per_class");

    static final List<String> DISTILL_KEYS = List.of("teacher", "distillers", "cache_teacher", "teacher_graph");
    static final List<ParamSpec> TRAIN = List.of(
            ParamSpec.ofInt("epochs", 8, 1, 100000, "passes over the training split"),
            ParamSpec.ofInt(
                    "batch_size",
                    128,
                    1,
                    65536,
                    "examples per batch; the last batch of an epoch holds the remainder, so a batch size above the "
                            + "training set's size makes each epoch one step on all of it"),
            ParamSpec.ofInt("threads", 0, 0, 256, "CPU threads; 0 picks automatically"),
            ParamSpec.ofBoolean("progress", true, "show a progress bar"),
            ParamSpec.ofInt(
                    "checkpoint_every_epochs",
                    1,
                    0,
                    100000,
                    "a checkpoint after every this many epochs; 0: only when interrupted"),
            ParamSpec.ofDouble(
                    "checkpoint_every_minutes",
                    0,
                    0,
                    1e6,
                    "also a checkpoint once this many minutes have passed since the last; 0: off"),
            ParamSpec.ofInt("checkpoints_kept", 2, 1, 1000, "how many of the newest checkpoints to keep"),
            ParamSpec.ofDouble(
                    "divergence_factor",
                    10,
                    org.camloss.api.Range.openClosed(1, 1e6),
                    "the run has diverged when the mean loss of the last 20 steps exceeds this many times the "
                            + "loss of its first step"));
    /** The keys of {@code train.early_stopping}. */
    static final List<ParamSpec> EARLY_STOPPING = List.of(
            ParamSpec.ofString(
                    "metric",
                    "val_accuracy",
                    "a validation metric (val_accuracy, val_ce, ...; needs a validation split) or train_loss"),
            ParamSpec.ofChoice(
                    "mode",
                    "auto",
                    List.of("auto", "max", "min"),
                    "max: higher is better; min: lower is better; auto: min for losses and cross-entropy"),
            ParamSpec.ofInt("patience", 5, 1, 100000, "epochs without improvement before stopping"),
            ParamSpec.ofDouble("min_delta", 0, 0, 1e6, "the smallest change that counts as an improvement"));

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    /**
     * The component a config gets when it leaves a section out: the paper's set-up on the built-in data
     * (CAM-loss on a CIFAR ResNet over {@code shapes}, SGD with a cosine schedule). Written into every run's
     * {@code run.json}, so a run never depends on these defaults later.
     */
    static final Map<PluginKind<?>, String> DEFAULT_IDS = Map.of(
            PluginKind.DATASET,
            "shapes",
            PluginKind.BACKBONE,
            "resnet-cifar",
            PluginKind.LOSS,
            "cam-loss",
            PluginKind.OPTIMIZER,
            "sgd",
            PluginKind.SCHEDULE,
            "cosine");

    static final String DEFAULT_NAME = "experiment";

    private final PluginRegistry registry;

    ConfigValidator(PluginRegistry registry) {
        this.registry = registry;
    }

    Validation<Seq<ConfigProblem>, ExperimentConfig> validate(Object root) {
        if (root == null) {
            return bad("", "file is empty");
        }
        if (!(root instanceof Map<?, ?> rootMap)) {
            return bad("", "must be a map of sections " + TOP_KEYS + ", found " + describe(root));
        }
        Map<String, Object> m = stringKeys(rootMap);
        // a run's run.json is a config plus its provenance, which a rerun ignores
        m.remove(PROVENANCE);
        var keys = keys("", m, TOP_KEYS);
        var name = name(m.get("name"));
        var seed = seed(m.get("seed"));
        Object dataRaw = m.get("data");
        Object classesRaw = null;
        Object perClassRaw = null;
        if (dataRaw instanceof Map<?, ?> dm && (dm.containsKey("classes") || dm.containsKey("train_per_class"))) {
            Map<String, Object> copy = new LinkedHashMap<>(stringKeys(dm));
            classesRaw = copy.remove("classes");
            perClassRaw = copy.remove("train_per_class");
            dataRaw = copy;
        }
        var data = node("data", dataRaw, DEFAULT_IDS.get(PluginKind.DATASET), PluginKind.DATASET);
        var dataClasses = flat(Validation.combine(classes(classesRaw), trainPerClass(perClassRaw))
                .ap(DataSelection::new));
        var transfer = transfer(m.get("init"), m.get("freeze"), m.get("lr_mult"));
        var backbone = node("backbone", m.get("backbone"), DEFAULT_IDS.get(PluginKind.BACKBONE), PluginKind.BACKBONE);
        var loss = node("loss", m.get("loss"), DEFAULT_IDS.get(PluginKind.LOSS), PluginKind.LOSS);
        var regularizers = list("regularizers", m.get("regularizers"), PluginKind.REGULARIZER, false);
        var optimizer =
                node("optimizer", m.get("optimizer"), DEFAULT_IDS.get(PluginKind.OPTIMIZER), PluginKind.OPTIMIZER);
        var schedule = node("schedule", m.get("schedule"), DEFAULT_IDS.get(PluginKind.SCHEDULE), PluginKind.SCHEDULE);
        var train = train(m.get("train"));
        var distill = distill(m.get("distill"));
        var engine = engine(m.get("engine"));
        var cross = schedule.isValid() && train.isValid() ? crossCheck(schedule.get(), train.get()) : ok(Tuple.empty());

        Validation<Seq<ConfigProblem>, Head> head =
                flat(Validation.combine(keys, name, seed, data, backbone, loss, regularizers, optimizer)
                        .ap((k, n, s, d, b, l, r, o) -> new Head(n, s, d, b, l, r, o)));
        return flat(Validation.combine(head, schedule, train, distill, cross, dataClasses, transfer, engine)
                .ap((h, sc, t, di, x, dc, tr, e) -> new ExperimentConfig(
                        h.name,
                        h.seed,
                        h.data,
                        h.backbone,
                        h.loss,
                        h.regularizers,
                        h.optimizer,
                        sc,
                        t,
                        di,
                        dc,
                        tr,
                        e)));
    }

    /**
     * The {@code engine} section's shape: {@code { id: ..., params: {...} }}. Its id and parameters are checked by the
     * engine's factory ({@code runtime.engine.Engines}) before training starts: engines are not plugins of the
     * registry and live in their own modules (the Spark engine in camloss-spark).
     */
    private static Validation<Seq<ConfigProblem>, Optional<PluginSpec>> engine(Object raw) {
        if (raw == null) {
            return ok(Optional.empty());
        }
        if (!(raw instanceof Map<?, ?> em)) {
            return bad("engine", "must be a map { id: ..., params: {...} }, found " + describe(raw));
        }
        Map<String, Object> m = stringKeys(em);
        List<String> unknown = new ArrayList<>(m.keySet());
        unknown.removeAll(List.of("id", "params"));
        if (!unknown.isEmpty()) {
            return bad("engine", "unknown key(s) " + unknown + "; valid keys: [id, params]");
        }
        if (!(m.get("id") instanceof String id) || id.isEmpty()) {
            return bad("engine.id", "must name an engine (spark), found " + describe(m.get("id")));
        }
        Object params = m.get("params");
        if (params != null && !(params instanceof Map<?, ?>)) {
            return bad("engine.params", "must be a map, found " + describe(params));
        }
        return ok(Optional.of(new PluginSpec(id, params == null ? Map.of() : stringKeys((Map<?, ?>) params))));
    }

    private record Head(
            String name,
            long seed,
            PluginSpec data,
            PluginSpec backbone,
            PluginSpec loss,
            List<PluginSpec> regularizers,
            PluginSpec optimizer) {}

    // ---- sections ----

    private static Validation<Seq<ConfigProblem>, String> name(Object raw) {
        if (raw == null) {
            return ok(DEFAULT_NAME);
        }
        String s;
        if (raw instanceof String str) {
            s = str;
        } else if (raw instanceof Integer || raw instanceof Long || raw instanceof BigInteger) {
            s = raw.toString();
        } else {
            return bad("name", "must be a string, found " + describe(raw));
        }
        if (!NAME.matcher(s).matches()) {
            return bad("name", "must match " + NAME.pattern() + " (it names the run directory), found '" + s + "'");
        }
        if (s.equals(".") || s.equals("..")) {
            return bad("name", "must not be '" + s + "' (it names the run directory)");
        }
        return ok(s);
    }

    private static Validation<Seq<ConfigProblem>, Long> seed(Object raw) {
        if (raw == null) {
            return ok(0L);
        }
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
            return ok(((Number) raw).longValue());
        }
        try {
            if (raw instanceof BigInteger b) {
                return ok(b.longValueExact());
            }
            if (raw instanceof Double || raw instanceof Float || raw instanceof BigDecimal) {
                return ok(new BigDecimal(raw.toString()).longValueExact());
            }
            if (raw instanceof String s) {
                return ok(Long.parseLong(s.trim()));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            // not a whole number in range: the problem below says so
        }
        return bad(
                "seed",
                "must be an integer in [" + Long.MIN_VALUE + ", " + Long.MAX_VALUE + "], found " + describe(raw));
    }

    /**
     * {@code data.classes}: a list of class labels (indices or names; a comma-separated string is accepted), at least
     * two, none twice. Whether each names a class of the dataset is checked once the dataset exists.
     */
    private static Validation<Seq<ConfigProblem>, List<String>> classes(Object raw) {
        if (raw == null) {
            return ok(List.of());
        }
        List<?> items = raw instanceof List<?> l
                ? l
                : raw instanceof String str
                        ? java.util.Arrays.stream(str.split(","))
                                .map(String::trim)
                                .toList()
                        : raw instanceof Number ? List.of(raw) : null;
        if (items == null) {
            return bad(
                    "data.classes",
                    "must be a list of class labels (indices or names), e.g. [5, 6, 7, 8, 9], " + "found "
                            + describe(raw));
        }
        List<String> out = new ArrayList<>();
        for (Object o : items) {
            if (!(o instanceof String) && !(o instanceof Integer) && !(o instanceof Long)) {
                return bad("data.classes", "must list class indices or names, found " + describe(o));
            }
            String label = o.toString().trim();
            if (label.isEmpty()) {
                return bad("data.classes", "must not hold an empty label");
            }
            if (out.contains(label)) {
                return bad("data.classes", "lists '" + label + "' twice");
            }
            out.add(label);
        }
        if (out.size() < 2) {
            return bad("data.classes", "must list at least 2 classes (a classifier needs two), found " + out);
        }
        return ok(out);
    }

    /** {@code data.train_per_class}: a positive integer, or absent (0: every image). */
    private static Validation<Seq<ConfigProblem>, Integer> trainPerClass(Object raw) {
        if (raw == null) {
            return ok(0);
        }
        if ((raw instanceof Integer || raw instanceof Long)
                && ((Number) raw).longValue() >= 1
                && ((Number) raw).longValue() <= Integer.MAX_VALUE) {
            return ok(((Number) raw).intValue());
        }
        return bad(
                "data.train_per_class",
                "must be an integer in [1, " + Integer.MAX_VALUE + "] (training images kept per class), found "
                        + describe(raw));
    }

    /** The {@code init}, {@code freeze} and {@code lr_mult} sections. */
    private static Validation<Seq<ConfigProblem>, TransferSpec> transfer(Object init, Object freeze, Object lrMult) {
        Validation<Seq<ConfigProblem>, Optional<TransferSpec.InitSpec>> i;
        if (init == null) {
            i = ok(Optional.empty());
        } else if (!(init instanceof Map<?, ?> im)) {
            i = bad("init", "must be a map with keys " + names(INIT) + ", found " + describe(init));
        } else {
            i = section("init", stringKeys(im), INIT)
                    .flatMap(v -> ((String) v.get("from")).isBlank()
                            ? bad("init.from", "missing; name the source run directory or model file")
                            : ok(Optional.of(new TransferSpec.InitSpec(
                                    ((String) v.get("from")).trim(), (String) v.get("parts"), (String)
                                            v.get("first_conv")))));
        }
        var f = sectionOrDefaults("freeze", freeze, FREEZE)
                .map(v -> new TransferSpec.FreezeSpec(
                        (Boolean) v.get("backbone"), (Integer) v.get("stages"), (String) v.get("batch_norm")));
        var l = sectionOrDefaults("lr_mult", lrMult, LR_MULT)
                .map(v -> new TransferSpec.LrMultSpec((Double) v.get("backbone"), (Double) v.get("head")));
        return flat(Validation.combine(i, f, l).ap(TransferSpec::new));
    }

    /** A section of {@code specs}, every default when absent. */
    private static Validation<Seq<ConfigProblem>, Map<String, Object>> sectionOrDefaults(
            String path, Object raw, List<ParamSpec> specs) {
        if (raw == null) {
            return ok(Params.defaults(specs).asMap());
        }
        if (!(raw instanceof Map<?, ?> map)) {
            return bad(path, "must be a map with keys " + names(specs) + ", found " + describe(raw));
        }
        return section(path, stringKeys(map), specs);
    }

    private static Validation<Seq<ConfigProblem>, TrainSpec> train(Object raw) {
        if (raw == null) {
            return ok(TrainSpec.defaults());
        }
        if (!(raw instanceof Map<?, ?> map)) {
            List<String> keys = new ArrayList<>(names(TRAIN));
            keys.add("early_stopping");
            return bad("train", "must be a map with keys " + keys + ", found " + describe(raw));
        }
        Map<String, Object> m = new LinkedHashMap<>(stringKeys(map));
        Object es = m.remove("early_stopping");
        var values = section("train", m, TRAIN, List.of("early_stopping"));
        Validation<Seq<ConfigProblem>, Optional<TrainSpec.EarlyStoppingSpec>> early;
        if (es == null) {
            early = ok(Optional.empty());
        } else if (!(es instanceof Map<?, ?> em)) {
            early = bad(
                    "train.early_stopping",
                    "must be a map with keys " + names(EARLY_STOPPING) + ", found " + describe(es));
        } else {
            early = section("train.early_stopping", stringKeys(em), EARLY_STOPPING, List.of())
                    .flatMap(v -> earlyStopping(v));
        }
        return flat(Validation.combine(values, early)
                .ap((v, e) -> new TrainSpec(
                        (Integer) v.get("epochs"),
                        (Integer) v.get("batch_size"),
                        (Integer) v.get("threads"),
                        (Boolean) v.get("progress"),
                        (Integer) v.get("checkpoint_every_epochs"),
                        (Double) v.get("checkpoint_every_minutes"),
                        (Integer) v.get("checkpoints_kept"),
                        (Double) v.get("divergence_factor"),
                        e)));
    }

    /** The metric of early stopping is a validation metric or the training loss. */
    private static Validation<Seq<ConfigProblem>, Optional<TrainSpec.EarlyStoppingSpec>> earlyStopping(
            Map<String, Object> v) {
        String metric = ((String) v.get("metric")).trim();
        if (!metric.equals("train_loss") && !metric.matches("val_[a-z0-9_]+")) {
            return bad(
                    "train.early_stopping.metric",
                    "must be a validation metric (val_accuracy, val_top5_accuracy, "
                            + "val_ce, val_cam_loss, ...; the data needs a validation split) or train_loss, found '"
                            + metric
                            + "' (stopping on test metrics would tune on the test split)");
        }
        return ok(Optional.of(new TrainSpec.EarlyStoppingSpec(
                metric, (String) v.get("mode"), (Integer) v.get("patience"), (Double) v.get("min_delta"))));
    }

    private Validation<Seq<ConfigProblem>, Optional<DistillSpec>> distill(Object raw) {
        if (raw == null) {
            return ok(Optional.empty());
        }
        if (!(raw instanceof Map<?, ?> map)) {
            return bad("distill", "must be a map with keys " + DISTILL_KEYS + ", found " + describe(raw));
        }
        Map<String, Object> m = stringKeys(map);
        var keys = keys("distill", m, DISTILL_KEYS);
        Object t = m.get("teacher");
        Validation<Seq<ConfigProblem>, String> teacher;
        if (t == null) {
            teacher = bad("distill.teacher", "missing; must name the teacher's run directory");
        } else if (!(t instanceof String s)) {
            teacher =
                    bad("distill.teacher", "must be a string naming the teacher's run directory, found " + describe(t));
        } else if (s.isBlank()) {
            teacher = bad("distill.teacher", "must not be empty; name the teacher's run directory");
        } else {
            teacher = ok(s);
        }
        var distillers = list("distill.distillers", m.get("distillers"), PluginKind.DISTILLER, true);
        Object c = m.get("cache_teacher");
        Validation<Seq<ConfigProblem>, Boolean> cache;
        if (c == null) {
            cache = ok(false);
        } else if (c instanceof Boolean b) {
            cache = ok(b);
        } else if ("true".equals(c) || "false".equals(c)) {
            cache = ok(Boolean.parseBoolean((String) c));
        } else {
            cache = bad("distill.cache_teacher", "must be true or false, found " + describe(c));
        }
        Object g = m.get("teacher_graph");
        Validation<Seq<ConfigProblem>, Optional<TeacherGraphSpec>> graph;
        if (g == null) {
            graph = ok(Optional.empty());
        } else if (!(g instanceof Map<?, ?> gm)) {
            graph = bad(
                    "distill.teacher_graph",
                    "must be a map with keys " + names(TeacherGraphSpec.KEYS)
                            + " describing a plain DL4J graph teacher, found " + describe(g));
        } else {
            graph = section("distill.teacher_graph", stringKeys(gm), TeacherGraphSpec.KEYS)
                    .flatMap(v -> ((String) v.get("logits")).isBlank()
                            ? bad(
                                    "distill.teacher_graph.logits",
                                    "missing; name the dense or output layer whose "
                                            + "pre-activation outputs are the teacher's logits")
                            : ok(Optional.of(TeacherGraphSpec.of(v))));
        }
        return flat(Validation.combine(keys, teacher, distillers, cache, graph)
                .ap((k, te, ds, ca, gr) -> Optional.of(new DistillSpec(te, ds, ca, gr))));
    }

    private static Validation<Seq<ConfigProblem>, Tuple0> crossCheck(PluginSpec schedule, TrainSpec train) {
        if (schedule.id().equals("cosine")
                && schedule.params().get("warmup_epochs") instanceof Integer w
                && w >= train.epochs()) {
            return bad(
                    "schedule.params.warmup_epochs",
                    "must be less than train.epochs (" + train.epochs() + "), found " + w);
        }
        return ok(Tuple.empty());
    }

    // ---- component nodes ----

    /** A node {@code { id: ..., params: {...} }}; absent means {@code { id: defaultId }} when there is one. */
    private Validation<Seq<ConfigProblem>, PluginSpec> node(
            String path, Object raw, String defaultId, PluginKind<?> kind) {
        if (raw == null) {
            if (defaultId == null) {
                return bad(path, "missing; must name a " + what(kind) + ", one of " + registry.ids(kind));
            }
            raw = Map.of();
        }
        if (!(raw instanceof Map<?, ?> map)) {
            String hint = raw instanceof String s && !s.isBlank() ? "; write { id: " + s + " }" : "";
            return bad(path, "must be a map like { id: ..., params: {...} }, found " + describe(raw) + hint);
        }
        Map<String, Object> m = stringKeys(map);
        var keys = keys(path, m, path.equals("data") ? DATA_KEYS : NODE_KEYS);
        var factory = factory(path + ".id", m.get("id"), defaultId, kind);
        Object p = m.get("params");
        Validation<Seq<ConfigProblem>, Map<String, Object>> rawParams = p == null
                ? ok(Map.of())
                : p instanceof Map<?, ?> pm
                        ? ok(stringKeys(pm))
                        : bad(path + ".params", "must be a map of parameter values, found " + describe(p));
        Validation<Seq<ConfigProblem>, PluginSpec> spec;
        if (factory.isValid() && rawParams.isValid()) {
            spec = params(path + ".params", factory.get(), rawParams.get());
        } else {
            spec = flat(Validation.combine(factory, rawParams).ap((c, ps) -> (PluginSpec) null));
        }
        return flat(Validation.combine(keys, spec).ap((k, s) -> s));
    }

    /**
     * A plugin's parameters: each value against its declaration, then, when they are all valid, the rules
     * between them ({@link PluginFactory#validate}).
     */
    private static Validation<Seq<ConfigProblem>, PluginSpec> params(
            String path, PluginFactory<?> factory, Map<String, Object> raw) {
        Params.Resolution r = Params.check(factory.params(), raw);
        List<ParamProblem> problems = r.problems();
        if (problems.isEmpty()) {
            problems = factory.validate(r.params());
        }
        if (problems.isEmpty()) {
            return ok(new PluginSpec(factory.id(), r.params().asMap()));
        }
        return bad(problems.stream()
                .map(pp -> new ConfigProblem(pp.param().isEmpty() ? path : path + "." + pp.param(), pp.message()))
                .toList());
    }

    private static String what(PluginKind<?> kind) {
        return kind.discoverable() ? kind.name() + " plugin" : kind.name();
    }

    private Validation<Seq<ConfigProblem>, PluginFactory<?>> factory(
            String path, Object id, String defaultId, PluginKind<?> kind) {
        if (id == null) {
            if (defaultId == null) {
                return bad(path, "missing; must name a " + what(kind) + ", one of " + registry.ids(kind));
            }
            return registry.find(kind, defaultId)
                    .<Validation<Seq<ConfigProblem>, PluginFactory<?>>>map(ConfigValidator::ok)
                    .orElseGet(() -> bad(
                            path,
                            "missing, and the default " + what(kind) + " '" + defaultId
                                    + "' is not installed; available: " + registry.ids(kind)));
        }
        if (!(id instanceof String s)) {
            return bad(path, "must be a string naming a " + what(kind) + ", found " + describe(id));
        }
        return registry.find(kind, s)
                .<Validation<Seq<ConfigProblem>, PluginFactory<?>>>map(ConfigValidator::ok)
                .orElseGet(() -> bad(path, registry.unknownIdMessage(kind, s)));
    }

    private Validation<Seq<ConfigProblem>, List<PluginSpec>> list(
            String path, Object raw, PluginKind<?> kind, boolean required) {
        if (raw == null) {
            return required
                    ? bad(
                            path,
                            "missing; must list at least one " + what(kind) + " like [ { id: ... } ]; " + "available: "
                                    + registry.ids(kind))
                    : ok(List.of());
        }
        if (!(raw instanceof List<?> items)) {
            return bad(path, "must be a list of { id: ..., params: {...} } nodes, found " + describe(raw));
        }
        if (items.isEmpty() && required) {
            return bad(
                    path,
                    "must list at least one " + what(kind) + ", found an empty list; available: " + registry.ids(kind));
        }
        List<Validation<Seq<ConfigProblem>, PluginSpec>> nodes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            nodes.add(node(path + "." + i, items.get(i), null, kind));
        }
        return Validation.sequence(nodes).map(Seq::toJavaList);
    }

    // ---- values ----

    /**
     * A section of fixed keys declared as {@link ParamSpec}s ({@code train}, {@code distill.teacher_graph}):
     * unknown keys, then each value by {@link Params#check}; resolves to every declared value, defaults filled in.
     */
    private static Validation<Seq<ConfigProblem>, Map<String, Object>> section(
            String path, Map<String, Object> raw, List<ParamSpec> specs) {
        return section(path, raw, specs, List.of());
    }

    /** As {@link #section(String, Map, List)}, where {@code nested} are further valid keys checked elsewhere. */
    private static Validation<Seq<ConfigProblem>, Map<String, Object>> section(
            String path, Map<String, Object> raw, List<ParamSpec> specs, List<String> nested) {
        List<String> valid = new ArrayList<>(names(specs));
        valid.addAll(nested);
        var keys = keys(path, raw, valid);
        Map<String, Object> known = new LinkedHashMap<>(raw);
        known.keySet().retainAll(names(specs));
        Params.Resolution r = Params.check(specs, known);
        Validation<Seq<ConfigProblem>, Map<String, Object>> values = r.valid()
                ? ok(r.params().asMap())
                : bad(r.problems().stream()
                        .map(pp -> new ConfigProblem(path + "." + pp.param(), pp.message()))
                        .toList());
        return flat(Validation.combine(keys, values).ap((k, v) -> v));
    }

    /** Unknown keys of a section, each with "did you mean" and the valid keys. */
    private static Validation<Seq<ConfigProblem>, Tuple0> keys(
            String path, Map<String, Object> map, List<String> valid) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (String key : map.keySet()) {
            if (!valid.contains(key)) {
                problems.add(new ConfigProblem(
                        path.isEmpty() ? key : path + "." + key,
                        "unknown key; " + Suggestions.didYouMean(key, valid) + "valid: " + valid));
            }
        }
        return problems.isEmpty() ? ok(Tuple.empty()) : bad(problems);
    }

    private static List<String> names(List<ParamSpec> specs) {
        return specs.stream().map(ParamSpec::name).toList();
    }

    // ---- Validation helpers ----

    private static <T> Validation<Seq<ConfigProblem>, T> ok(T value) {
        return Validation.valid(value);
    }

    private static <T> Validation<Seq<ConfigProblem>, T> bad(String path, String message) {
        return Validation.invalid(io.vavr.collection.List.of(new ConfigProblem(path, message)));
    }

    private static <T> Validation<Seq<ConfigProblem>, T> bad(List<ConfigProblem> problems) {
        return Validation.invalid(io.vavr.collection.List.ofAll(problems));
    }

    /** Flattens the nested problem lists that {@code Validation.combine(...).ap(...)} produces. */
    private static <T> Validation<Seq<ConfigProblem>, T> flat(Validation<Seq<Seq<ConfigProblem>>, T> v) {
        return v.mapError(nested -> nested.flatMap(Function.identity()));
    }
}
