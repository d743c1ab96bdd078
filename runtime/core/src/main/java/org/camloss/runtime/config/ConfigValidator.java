package org.camloss.runtime.config;

import static org.camloss.runtime.config.Nodes.describe;
import static org.camloss.runtime.config.Nodes.stringKeys;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.vavr.Tuple;
import io.vavr.Tuple0;
import io.vavr.collection.Seq;
import io.vavr.control.Validation;

import org.camloss.api.ParamSpec;
import org.camloss.api.PluginFactory;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;
import org.camloss.runtime.registry.Suggestions;

/**
 * Checks a raw config tree against the config layout, the registry and the built-in components, and
 * resolves it into an {@link ExperimentConfig}, accumulating every problem (Vavr {@link Validation}).
 * Problems carry config paths but no source; {@link ConfigLoader} attributes them.
 */
final class ConfigValidator {
    /** The section of a run's {@code run.json} that is not configuration. */
    static final String PROVENANCE = "provenance";

    static final List<String> TOP_KEYS = List.of("name", "seed", "data", "backbone", "loss", "regularizers",
            "optimizer", "schedule", "train", "distill");
    static final List<String> NODE_KEYS = List.of("id", "params");
    static final List<String> DISTILL_KEYS = List.of("teacher", "distillers", "cache_teacher", "teacher_graph");
    static final List<ParamSpec> TRAIN = List.of(
            ParamSpec.ofInt("epochs", 8, 1, 100000, "passes over the training split"),
            ParamSpec.ofInt("batch_size", 128, 1, 65536, "examples per batch"),
            ParamSpec.ofInt("threads", 0, 0, 256, "CPU threads; 0 picks automatically"),
            ParamSpec.ofBoolean("progress", true, "show a progress bar"));
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
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
        var data = node("data", m.get("data"), "shapes", plugins(PluginKind.DATASET));
        var backbone = node("backbone", m.get("backbone"), "resnet-cifar", plugins(PluginKind.BACKBONE));
        var loss = node("loss", m.get("loss"), "cam-loss", plugins(PluginKind.LOSS));
        var regularizers = list("regularizers", m.get("regularizers"), plugins(PluginKind.REGULARIZER), false);
        var optimizer = node("optimizer", m.get("optimizer"), "sgd", builtins("optimizer", true));
        var schedule = node("schedule", m.get("schedule"), "cosine", builtins("schedule", false));
        var train = train(m.get("train"));
        var distill = distill(m.get("distill"));
        var cross = schedule.isValid() && train.isValid() ? crossCheck(schedule.get(), train.get()) : ok(Tuple.empty());

        Validation<Seq<ConfigProblem>, Head> head = flat(Validation.combine(keys, name, seed, data, backbone, loss,
                regularizers, optimizer).ap((k, n, s, d, b, l, r, o) -> new Head(n, s, d, b, l, r, o)));
        return flat(Validation.combine(head, schedule, train, distill, cross).ap((h, sc, t, di, x) ->
                new ExperimentConfig(h.name, h.seed, h.data, h.backbone, h.loss, h.regularizers, h.optimizer, sc, t,
                        di)));
    }

    private record Head(String name, long seed, PluginSpec data, PluginSpec backbone, PluginSpec loss,
                        List<PluginSpec> regularizers, PluginSpec optimizer) {
    }

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
        return bad("seed", "must be an integer in [" + Long.MIN_VALUE + ", " + Long.MAX_VALUE + "], found "
                + describe(raw));
    }

    private static Validation<Seq<ConfigProblem>, TrainSpec> train(Object raw) {
        if (raw == null) {
            return ok(TrainSpec.defaults());
        }
        if (!(raw instanceof Map<?, ?> map)) {
            return bad("train", "must be a map with keys " + names(TRAIN) + ", found " + describe(raw));
        }
        return values("train", stringKeys(map), TRAIN, "key", "train", ParamSpec::range).map(v -> new TrainSpec(
                (Integer) v.get("epochs"), (Integer) v.get("batch_size"), (Integer) v.get("threads"),
                (Boolean) v.get("progress")));
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
            teacher = bad("distill.teacher", "must be a string naming the teacher's run directory, found "
                    + describe(t));
        } else if (s.isBlank()) {
            teacher = bad("distill.teacher", "must not be empty; name the teacher's run directory");
        } else {
            teacher = ok(s);
        }
        var distillers = list("distill.distillers", m.get("distillers"), plugins(PluginKind.DISTILLER), true);
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
            graph = bad("distill.teacher_graph", "must be a map with keys " + names(TeacherGraphSpec.KEYS)
                    + " describing a plain DL4J graph teacher, found " + describe(g));
        } else {
            graph = values("distill.teacher_graph", stringKeys(gm), TeacherGraphSpec.KEYS, "key", "teacher_graph",
                    ParamSpec::range).flatMap(v -> ((String) v.get("logits")).isBlank()
                    ? bad("distill.teacher_graph.logits", "missing; name the dense or output layer whose "
                            + "pre-activation outputs are the teacher's logits")
                    : ok(Optional.of(TeacherGraphSpec.of(v))));
        }
        return flat(Validation.combine(keys, teacher, distillers, cache, graph)
                .ap((k, te, ds, ca, gr) -> Optional.of(new DistillSpec(te, ds, ca, gr))));
    }

    private static Validation<Seq<ConfigProblem>, Tuple0> crossCheck(PluginSpec schedule, TrainSpec train) {
        if (schedule.id().equals("cosine") && schedule.params().get("warmup_epochs") instanceof Integer w
                && w >= train.epochs()) {
            return bad("schedule.params.warmup_epochs", "must be less than train.epochs (" + train.epochs()
                    + "), found " + w);
        }
        return ok(Tuple.empty());
    }

    // ---- component nodes ----

    /** What a component node may name: plugins of one kind, or the built-in optimizers or schedules. */
    private interface Catalog {
        /** "loss plugin", "optimizer". */
        String what();

        Optional<Component> find(String id);

        List<String> ids();

        String unknown(String id);

        /** Rules beyond the declared ranges: parameter name to message. */
        Map<String, String> extra(String id, Map<String, Object> raw, Map<String, Object> resolved);

        /** The allowed values of {@code param} of component {@code id}, in words. */
        String range(String id, ParamSpec param);
    }

    private record Component(String id, List<ParamSpec> params) {
    }

    private Catalog plugins(PluginKind<?> kind) {
        return new Catalog() {
            @Override
            public String what() {
                return kind.name() + " plugin";
            }

            @Override
            public Optional<Component> find(String id) {
                Optional<? extends PluginFactory<?>> f = registry.find(kind, id);
                return f.map(factory -> new Component(factory.id(), factory.params()));
            }

            @Override
            public List<String> ids() {
                return registry.ids(kind);
            }

            @Override
            public String unknown(String id) {
                return registry.unknownIdMessage(kind, id);
            }

            @Override
            public Map<String, String> extra(String id, Map<String, Object> raw, Map<String, Object> resolved) {
                return Map.of();
            }

            @Override
            public String range(String id, ParamSpec param) {
                return param.range();
            }
        };
    }

    private static Catalog builtins(String what, boolean optimizer) {
        Map<String, List<ParamSpec>> components = optimizer ? BuiltinComponents.optimizers()
                : BuiltinComponents.schedules();
        return new Catalog() {
            @Override
            public String what() {
                return what;
            }

            @Override
            public Optional<Component> find(String id) {
                return Optional.ofNullable(components.get(id)).map(p -> new Component(id, p));
            }

            @Override
            public List<String> ids() {
                return components.keySet().stream().sorted().toList();
            }

            @Override
            public String unknown(String id) {
                return Suggestions.unknown(what, id, ids());
            }

            @Override
            public Map<String, String> extra(String id, Map<String, Object> raw, Map<String, Object> resolved) {
                return BuiltinComponents.openBoundProblems(id, raw, resolved);
            }

            @Override
            public String range(String id, ParamSpec param) {
                return BuiltinComponents.range(id, param);
            }
        };
    }

    /** A node {@code { id: ..., params: {...} }}; absent means {@code { id: defaultId }} when there is one. */
    private static Validation<Seq<ConfigProblem>, PluginSpec> node(String path, Object raw, String defaultId,
                                                                   Catalog catalog) {
        if (raw == null) {
            if (defaultId == null) {
                return bad(path, "missing; must name a " + catalog.what() + ", one of " + catalog.ids());
            }
            raw = Map.of();
        }
        if (!(raw instanceof Map<?, ?> map)) {
            String hint = raw instanceof String s && !s.isBlank() ? "; write { id: " + s + " }" : "";
            return bad(path, "must be a map like { id: ..., params: {...} }, found " + describe(raw) + hint);
        }
        Map<String, Object> m = stringKeys(map);
        var keys = keys(path, m, NODE_KEYS);
        var component = component(path + ".id", m.get("id"), defaultId, catalog);
        Object p = m.get("params");
        Validation<Seq<ConfigProblem>, Map<String, Object>> rawParams = p == null ? ok(Map.of())
                : p instanceof Map<?, ?> pm ? ok(stringKeys(pm))
                : bad(path + ".params", "must be a map of parameter values, found " + describe(p));
        Validation<Seq<ConfigProblem>, PluginSpec> spec;
        if (component.isValid() && rawParams.isValid()) {
            Component c = component.get();
            spec = values(path + ".params", rawParams.get(), c.params, "parameter",
                    catalog.what() + " '" + c.id + "'", param -> catalog.range(c.id, param))
                    .flatMap(resolved -> {
                        Map<String, String> extra = catalog.extra(c.id, rawParams.get(), resolved);
                        if (extra.isEmpty()) {
                            return ok(new PluginSpec(c.id, resolved));
                        }
                        List<ConfigProblem> problems = new ArrayList<>();
                        extra.forEach((param, msg) -> problems.add(new ConfigProblem(path + ".params." + param, msg)));
                        return bad(problems);
                    });
        } else {
            spec = flat(Validation.combine(component, rawParams).ap((c, ps) -> (PluginSpec) null));
        }
        return flat(Validation.combine(keys, spec).ap((k, s) -> s));
    }

    private static Validation<Seq<ConfigProblem>, Component> component(String path, Object id, String defaultId,
                                                                       Catalog catalog) {
        if (id == null) {
            if (defaultId == null) {
                return bad(path, "missing; must name a " + catalog.what() + ", one of " + catalog.ids());
            }
            return catalog.find(defaultId).<Validation<Seq<ConfigProblem>, Component>>map(ConfigValidator::ok)
                    .orElseGet(() -> bad(path, "missing, and the default " + catalog.what() + " '" + defaultId
                            + "' is not installed; available: " + catalog.ids()));
        }
        if (!(id instanceof String s)) {
            return bad(path, "must be a string naming a " + catalog.what() + ", found " + describe(id));
        }
        return catalog.find(s).<Validation<Seq<ConfigProblem>, Component>>map(ConfigValidator::ok)
                .orElseGet(() -> bad(path, catalog.unknown(s)));
    }

    private static Validation<Seq<ConfigProblem>, List<PluginSpec>> list(String path, Object raw, Catalog catalog,
                                                                         boolean required) {
        if (raw == null) {
            return required
                    ? bad(path, "missing; must list at least one " + catalog.what() + " like [ { id: ... } ]; "
                            + "available: " + catalog.ids())
                    : ok(List.of());
        }
        if (!(raw instanceof List<?> items)) {
            return bad(path, "must be a list of { id: ..., params: {...} } nodes, found " + describe(raw));
        }
        if (items.isEmpty() && required) {
            return bad(path, "must list at least one " + catalog.what() + ", found an empty list; available: "
                    + catalog.ids());
        }
        List<Validation<Seq<ConfigProblem>, PluginSpec>> nodes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            nodes.add(node(path + "." + i, items.get(i), null, catalog));
        }
        return Validation.sequence(nodes).map(Seq::toJavaList);
    }

    // ---- values ----

    /**
     * Checks {@code raw} against {@code specs}: unknown keys (with "did you mean") and each value by
     * {@link ParamSpec#check}, in the order of {@code raw}; resolves to every declared value in declaration
     * order, defaults filled in (also for keys given without a value).
     *
     * @param noun  "parameter" or "key"
     * @param owner who declares the specs, for "takes no parameters"
     * @param range the allowed values of a parameter in words, when they differ from {@link ParamSpec#range()}
     */
    private static Validation<Seq<ConfigProblem>, Map<String, Object>> values(String path, Map<String, Object> raw,
                                                                              List<ParamSpec> specs, String noun,
                                                                              String owner,
                                                                              Function<ParamSpec, String> range) {
        Map<String, ParamSpec> byName = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            byName.put(s.name(), s);
        }
        List<String> valid = names(specs);
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Object> checked = new LinkedHashMap<>();
        raw.forEach((key, value) -> {
            ParamSpec spec = byName.get(key);
            if (spec != null && value == null) {
                return; // a key without a value counts as absent: the default applies
            }
            if (spec == null) {
                problems.add(new ConfigProblem(path + "." + key, specs.isEmpty()
                        ? "unknown " + noun + "; " + owner + " takes no parameters"
                        : "unknown " + noun + "; " + Suggestions.didYouMean(key, valid) + "valid: " + valid));
                return;
            }
            ParamSpec.Checked c = spec.check(value);
            if (c.problem() != null) {
                String closed = "must be in " + spec.range() + ",";
                String message = c.problem().startsWith(closed)
                        ? "must be in " + range.apply(spec) + "," + c.problem().substring(closed.length())
                        : c.problem();
                problems.add(new ConfigProblem(path + "." + key, message));
            } else {
                checked.put(key, c.value());
            }
        });
        if (!problems.isEmpty()) {
            return bad(problems);
        }
        Map<String, Object> resolved = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            resolved.put(s.name(), checked.getOrDefault(s.name(), s.defaultValue()));
        }
        return ok(resolved);
    }

    /** Unknown keys of a section, each with "did you mean" and the valid keys. */
    private static Validation<Seq<ConfigProblem>, Tuple0> keys(String path, Map<String, Object> map,
                                                               List<String> valid) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (String key : map.keySet()) {
            if (!valid.contains(key)) {
                problems.add(new ConfigProblem(path.isEmpty() ? key : path + "." + key,
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
