package org.camloss.api;

import java.util.List;

/**
 * A named factory for one kind of plugin. Implementations are found with {@link java.util.ServiceLoader}
 * through one of the kind interfaces ({@link LossFactory}, {@link BackboneFactory},
 * {@link RegularizerFactory}, {@link DistillerFactory}, {@link DatasetFactory},
 * {@link org.camloss.api.cam.CamMethodFactory}), or registered by hand.
 *
 * <p>Implementations must have a public no-argument constructor and be stateless.
 *
 * <p>Parameters are checked in two steps, both while a config is validated (before any plugin is created) and
 * with every problem of the config reported at once: each value against its {@link ParamSpec} (type, range,
 * choices), then the rules between parameters in {@link #validate(Params)} (say "depth must be 6n+2"). A factory
 * whose {@code create} is cheap and free of side effects may implement {@code validate} with
 * {@link #creationProblems}, which creates an instance and reports what its constructor refuses.
 *
 * @param <T> what the factory makes
 */
public interface PluginFactory<T> {
    /** Stable kebab-case id that configs use, e.g. {@code cam-loss}. */
    String id();

    /** One sentence for {@code camloss plugins}. */
    String description();

    /** Declared parameters; empty when the plugin takes none. */
    default List<ParamSpec> params() {
        return List.of();
    }

    /** Older ids still accepted for this plugin (deprecated aliases). */
    default List<String> aliases() {
        return List.of();
    }

    /**
     * Makes a new instance.
     *
     * @param params values already validated against {@link #params()}, with defaults filled in
     * @throws IllegalArgumentException naming the parameters when they break a rule between them
     */
    T create(Params params);

    /**
     * The rules between parameters that {@code params} break (each value is already valid on its own); none by
     * default. The runtime calls this while it validates a config, so these problems are reported together with
     * every other problem of the config.
     *
     * @param params values already validated against {@link #params()}, with defaults filled in
     * @return the problems, each naming a parameter or none ({@link ParamProblem#param()} empty)
     */
    default List<ParamProblem> validate(Params params) {
        return List.of();
    }

    /**
     * A {@link #validate} for factories whose {@code create} is cheap and free of side effects (most losses,
     * backbones, regularizers and distillers: their graphs are built later): creates an instance and reports the
     * {@link IllegalArgumentException} its constructor throws as one problem.
     */
    static List<ParamProblem> creationProblems(PluginFactory<?> factory, Params params) {
        try {
            factory.create(params);
            return List.of();
        } catch (IllegalArgumentException e) {
            return List.of(new ParamProblem("", String.valueOf(e.getMessage())));
        }
    }
}
