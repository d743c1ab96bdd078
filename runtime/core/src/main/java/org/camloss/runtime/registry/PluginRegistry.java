package org.camloss.runtime.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.camloss.api.ParamSpec;
import org.camloss.api.PluginFactory;
import org.camloss.api.Suggestions;
import org.camloss.runtime.optim.Builtins;

/**
 * Every known plugin factory, by kind and id. Immutable; build one with {@link #discover(ClassLoader)} or
 * {@link #builder()} (tests and host applications register factories by hand).
 *
 * <p>Ids and aliases are kebab-case ({@code [a-z0-9]+(-[a-z0-9]+)*}) and unique within a kind: two
 * factories claiming one id or alias is a problem that names both classes, never a silent overwrite. The
 * one exception is the same factory class seen twice (say, discovered through two class loaders that
 * share a parent): factories are stateless, so it is kept once.
 *
 * <p>A plugin that cannot be used (a services entry naming a class that does not load, a factory whose id or
 * parameter declarations throw, a clash) is left out and recorded in {@link #problems()}, naming its class and jar,
 * so {@code camloss plugins} can still list the healthy ones; {@link #requireNoProblems()} turns them into one
 * {@link PluginLoadException}.
 */
public final class PluginRegistry {
    /** The pattern every plugin id and alias must match. */
    public static final Pattern ID_PATTERN = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final Map<PluginKind<?>, Table> tables;
    private final List<String> problems;

    private PluginRegistry(Map<PluginKind<?>, Table> tables, List<String> problems) {
        this.tables = tables;
        this.problems = List.copyOf(problems);
    }

    /**
     * A registry of every factory that {@link ServiceLoader} finds through {@code loader}, for every discoverable
     * kind, plus the built-in optimizers and schedules.
     *
     * @throws PluginLoadException listing every problem (providers that fail to load, malformed or duplicate ids,
     *                             bad parameter declarations), one per line
     */
    public static PluginRegistry discover(ClassLoader loader) {
        return builder().addDiscovered(loader).build().requireNoProblems();
    }

    /**
     * The plugins that could not be used, one message each naming the plugin's class and jar, or the services
     * entry that failed; empty when all are healthy.
     */
    public List<String> problems() {
        return problems;
    }

    /**
     * This registry, when it has no {@link #problems()}.
     *
     * @throws PluginLoadException listing every problem
     */
    public PluginRegistry requireNoProblems() {
        if (!problems.isEmpty()) {
            throw new PluginLoadException(problems);
        }
        return this;
    }

    /** Where {@code factory}'s class was loaded from: its jar and version. */
    public static PluginOrigin origin(PluginFactory<?> factory) {
        return PluginOrigin.of(factory.getClass());
    }
    /**
     * A builder for a registry assembled by hand and/or by discovery; it starts with the built-in optimizers and
     * schedules ({@link Builtins}).
     */
    public static Builder builder() {
        Builder b = new Builder();
        Builtins.optimizers().forEach(f -> b.register(PluginKind.OPTIMIZER, f));
        Builtins.schedules().forEach(f -> b.register(PluginKind.SCHEDULE, f));
        return b;
    }

    /**
     * The factory with id or alias {@code id}.
     *
     * @return the factory, or empty when none has that id ({@link #unknownIdMessage} says so nicely)
     */
    public <F extends PluginFactory<?>> Optional<F> find(PluginKind<F> kind, String id) {
        Table t = table(kind);
        String canonical = t.aliases.getOrDefault(Objects.requireNonNull(id, "id"), id);
        return Optional.ofNullable(t.byId.get(canonical)).map(kind.factoryType()::cast);
    }

    /** Every factory of {@code kind}, sorted by id. */
    public <F extends PluginFactory<?>> List<F> all(PluginKind<F> kind) {
        return table(kind).byId.values().stream().map(kind.factoryType()::cast).toList();
    }

    /** The canonical ids of {@code kind}, sorted (aliases not included). */
    public List<String> ids(PluginKind<?> kind) {
        return List.copyOf(table(kind).byId.keySet());
    }

    /** Deprecated aliases of {@code kind} mapped to the canonical ids they stand for, sorted by alias. */
    public Map<String, String> aliases(PluginKind<?> kind) {
        return Collections.unmodifiableMap(table(kind).aliases);
    }

    /**
     * Says that {@code kind} has no plugin {@code id}, suggests a near miss (of an id, or of an alias, in
     * which case its id) and lists what there is, e.g.
     * {@code no loss plugin 'cam-los'; did you mean 'cam-loss'? available: [cam-loss, cross-entropy]}.
     */
    public String unknownIdMessage(PluginKind<?> kind, String id) {
        Table t = table(kind);
        String what = kind.discoverable() ? kind.name() + " plugin" : kind.name();
        if (t.byId.isEmpty()) {
            return "no " + what + " '" + id + "'; no " + what + "s are installed";
        }
        List<String> names = new ArrayList<>(t.byId.keySet());
        names.addAll(t.aliases.keySet());
        String hint = Suggestions.closest(id, names)
                .map(s -> "did you mean '" + t.aliases.getOrDefault(s, s) + "'? ")
                .orElse("");
        return "no " + what + " '" + id + "'; " + hint + "available: " + t.byId.keySet();
    }

    private Table table(PluginKind<?> kind) {
        return tables.get(Objects.requireNonNull(kind, "kind"));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PluginRegistry{");
        String sep = "";
        for (PluginKind<?> kind : PluginKind.all()) {
            sb.append(sep).append(kind.name()).append('=').append(ids(kind));
            sep = ", ";
        }
        return sb.append('}').toString();
    }

    /** The factories of one kind: canonical id to factory, alias to canonical id. */
    private record Table(TreeMap<String, PluginFactory<?>> byId, TreeMap<String, String> aliases) {}

    /**
     * Collects factories; {@link #build()} checks them all and reports every problem at once. Building
     * leaves the builder usable, and later registrations never change a registry already built.
     */
    public static final class Builder {
        private final List<Registration> registrations = new ArrayList<>();
        private final List<String> loadProblems = new ArrayList<>();

        private Builder() {}

        /** Adds {@code factory} as a plugin of {@code kind}. */
        public <F extends PluginFactory<?>> Builder register(PluginKind<F> kind, F factory) {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(factory, "factory");
            if (!kind.factoryType().isInstance(factory)) {
                throw new IllegalArgumentException(factory.getClass().getName() + " is not a "
                        + kind.factoryType().getName() + ", so it cannot be a " + kind.name() + " plugin");
            }
            registrations.add(new Registration(kind, factory));
            return this;
        }

        /**
         * Adds every factory that {@link ServiceLoader} finds through {@code loader}, for every kind.
         * Providers that fail to load are reported by {@link #build()}.
         */
        public Builder addDiscovered(ClassLoader loader) {
            for (PluginKind<?> kind : PluginKind.all()) {
                if (kind.discoverable()) {
                    discover(kind, loader);
                }
            }
            return this;
        }

        private <F extends PluginFactory<?>> void discover(PluginKind<F> kind, ClassLoader loader) {
            Iterator<F> it = ServiceLoader.load(kind.factoryType(), loader).iterator();
            int failures = 0;
            while (failures < 100) { // ServiceLoader skips a broken provider and goes on; this bounds a loop
                try {
                    if (!it.hasNext()) {
                        return;
                    }
                    register(kind, it.next());
                } catch (ServiceConfigurationError e) {
                    failures++;
                    loadProblems.add(loadProblem(kind, loader, e));
                }
            }
        }

        /**
         * "cannot load regularizer plugin com.x.Y listed in /p/x.jar (META-INF/services/...): class not found" —
         * the services file that names a broken provider is looked up so the message can name its jar.
         */
        private static String loadProblem(PluginKind<?> kind, ClassLoader loader, ServiceConfigurationError e) {
            String service = "META-INF/services/" + kind.factoryType().getName();
            String message = String.valueOf(e.getMessage());
            String provider = null;
            java.util.regex.Matcher m = Pattern.compile("Provider (\\S+)").matcher(message);
            if (m.find()) {
                provider = m.group(1);
            }
            String where = "";
            if (provider != null) {
                try {
                    for (java.net.URL url : java.util.Collections.list(loader.getResources(service))) {
                        try (var in = url.openStream()) {
                            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                            if (text.lines()
                                    .map(l -> l.replaceAll("#.*", "").trim())
                                    .anyMatch(provider::equals)) {
                                where = " listed in " + PluginOrigin.containerOf(url) + " (" + service + ")";
                                break;
                            }
                        }
                    }
                } catch (java.io.IOException io) {
                    // the message below still names the provider
                }
            }
            String reason = message.contains(" not found")
                    ? "class not found"
                    : message.contains("not a subtype")
                            ? "it does not implement " + kind.factoryType().getName()
                            : message.replaceFirst("^[^:]*: ", "")
                                    + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
            return "cannot load " + kind.name() + " plugin " + (provider != null ? provider : "") + where + ": "
                    + reason;
        }

        /**
         * Builds the registry.
         *
         * <p>A plugin with a problem (a provider that failed to load, an id or alias that is not kebab-case, two
         * factories claiming one id or alias, a declaration that throws, a parameter declared twice) is left out
         * and its problem recorded in {@link PluginRegistry#problems()}.
         */
        public PluginRegistry build() {
            Set<String> problems = new LinkedHashSet<>(loadProblems); // the same problem found twice is told once
            Map<PluginKind<?>, Table> tables = new LinkedHashMap<>();
            Map<PluginKind<?>, Map<String, Claim>> claims = new LinkedHashMap<>();
            for (PluginKind<?> kind : PluginKind.all()) {
                tables.put(kind, new Table(new TreeMap<>(), new TreeMap<>()));
                claims.put(kind, new LinkedHashMap<>());
            }
            for (Registration r : registrations) {
                Map<String, Claim> kindClaims = claims.get(r.kind);
                Table table = tables.get(r.kind);
                PluginFactory<?> f = r.factory;
                String cls = f.getClass().getName() + " in "
                        + PluginOrigin.of(f.getClass()).location();
                String id;
                List<String> aliases;
                List<ParamSpec> params;
                try {
                    id = f.id();
                    aliases = f.aliases() == null ? List.of() : f.aliases();
                    params = f.params() == null ? List.of() : f.params();
                    f.description();
                } catch (RuntimeException e) {
                    problems.add(r.kind.name() + " plugin " + cls + " cannot declare itself: " + e.getMessage());
                    continue;
                }
                if (id == null || !ID_PATTERN.matcher(id).matches()) {
                    problems.add(r.kind.name() + " plugin " + cls + " has id " + quote(id)
                            + "; ids must be kebab-case (" + ID_PATTERN.pattern() + ")");
                    continue;
                }
                Set<String> seen = new HashSet<>();
                String twice = null;
                for (ParamSpec p : params) {
                    if (!seen.add(p.name())) {
                        twice = p.name();
                    }
                }
                if (twice != null) {
                    problems.add(r.kind.name() + " plugin '" + id + "' (" + cls + ") declares parameter '" + twice
                            + "' twice");
                    continue;
                }
                Claim existing = kindClaims.get(id);
                if (existing != null && existing.factory.getClass() == f.getClass()) {
                    continue; // the same stateless factory seen twice
                }
                if (!claim(kindClaims, r.kind, id, new Claim(f, false), problems)) {
                    continue;
                }
                table.byId.put(id, f);
                for (String alias : aliases) {
                    if (alias == null || !ID_PATTERN.matcher(alias).matches()) {
                        problems.add(r.kind.name() + " plugin " + cls + " has alias " + quote(alias)
                                + "; aliases must be kebab-case (" + ID_PATTERN.pattern() + ")");
                    } else if (!alias.equals(id) && claim(kindClaims, r.kind, alias, new Claim(f, true), problems)) {
                        table.aliases.put(alias, id);
                    }
                }
            }
            return new PluginRegistry(Collections.unmodifiableMap(tables), List.copyOf(problems));
        }

        private static boolean claim(
                Map<String, Claim> claims, PluginKind<?> kind, String name, Claim claim, Set<String> problems) {
            Claim first = claims.putIfAbsent(name, claim);
            if (first == null) {
                return true;
            }
            problems.add("two " + kind.name() + " plugins claim id '" + name + "': " + first.describe() + " and "
                    + claim.describe());
            return false;
        }

        private static String quote(String s) {
            return s == null ? "null" : "'" + s + "'";
        }
    }

    private record Registration(PluginKind<?> kind, PluginFactory<?> factory) {}

    private record Claim(PluginFactory<?> factory, boolean alias) {
        String describe() {
            return factory.getClass().getName() + " in "
                    + PluginOrigin.of(factory.getClass()).location() + (alias ? " (alias)" : "");
        }
    }
}
