package org.camloss.runtime.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.camloss.api.ParamProblem;
import org.camloss.api.Params;
import org.camloss.api.UserException;

/**
 * The engine factories of one class loader, by id; and the one place that turns an {@code engine} node into a started
 * engine or one {@link UserException} naming every problem.
 */
public final class Engines {
    /** Appended to the message for a missing {@code spark} engine: where it comes from. */
    static final String SPARK_HINT = " (the spark engine is not on this class path; the ./camloss launcher and the "
            + "default build have no Spark: build the application jar with 'mvn -Pspark package' and run it with "
            + "spark-submit: runtime/spark/target/camloss-spark-VERSION-app.jar takes train's arguments; see "
            + "docs/distributed.md)";

    private final Map<String, EngineFactory> byId;

    private Engines(Map<String, EngineFactory> byId) {
        this.byId = Collections.unmodifiableMap(byId);
    }

    /**
     * The factories {@link ServiceLoader} finds through {@code loader}.
     *
     * @throws IllegalStateException when two factories claim one id
     */
    public static Engines discover(ClassLoader loader) {
        List<EngineFactory> found = new ArrayList<>();
        ServiceLoader.load(EngineFactory.class, loader).forEach(found::add);
        return of(found);
    }

    /** The given factories (tests and host applications register by hand). */
    public static Engines of(List<EngineFactory> factories) {
        Map<String, EngineFactory> map = new TreeMap<>();
        for (EngineFactory f : factories) {
            EngineFactory old = map.putIfAbsent(f.id(), f);
            if (old != null) {
                throw new IllegalStateException("engine id '" + f.id() + "' is claimed by both "
                        + old.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return new Engines(map);
    }

    /** The ids, sorted. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** The factory of {@code id}. */
    public Optional<EngineFactory> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * The engine node {@code { id, params }} with every declared default filled in, for the resolved config in
     * {@code run.json}; the raw parameters when the id is unknown.
     */
    public Map<String, Object> resolvedNode(String id, Map<String, ?> raw) {
        Map<String, Object> node = new java.util.LinkedHashMap<>();
        node.put("id", id);
        node.put(
                "params",
                find(id).map(f -> Params.check(f.params(), raw))
                        .filter(Params.Resolution::valid)
                        .<Map<String, Object>>map(
                                r -> new java.util.LinkedHashMap<>(r.params().asMap()))
                        .orElseGet(() -> new java.util.LinkedHashMap<>(raw)));
        return node;
    }

    /**
     * Checks {@code raw} against the factory's declarations and its {@link EngineFactory#validate} for {@code job}
     * and starts the engine.
     *
     * @throws UserException naming {@code engine.id} (an unknown id, with the available ones) or every bad
     *     {@code engine.params.*} and every part of the job the engine cannot run at once
     */
    public TrainingEngine start(String id, Map<String, ?> raw, EngineJob job) {
        EngineFactory factory = find(id).orElseThrow(() -> new UserException(
                "engine.id: no engine '" + id + "'. Available: " + ids() + (id.equals("spark") ? SPARK_HINT : "")));
        Params.Resolution checked = Params.check(factory.params(), raw);
        List<ParamProblem> problems = new ArrayList<>(checked.problems());
        if (checked.valid()) {
            problems.addAll(factory.validate(checked.params(), job));
        }
        if (!problems.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (ParamProblem p : problems) {
                lines.add((p.param().isEmpty() ? "engine" : "engine.params." + p.param()) + ": " + p.message());
            }
            throw new UserException(String.join("\n", lines));
        }
        return factory.start(checked.params(), job);
    }
}
