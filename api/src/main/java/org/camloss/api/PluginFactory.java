package org.camloss.api;

import java.util.List;

/**
 * A named factory for one kind of plugin. Implementations are found with {@link java.util.ServiceLoader}
 * through one of the kind interfaces ({@link LossFactory}, {@link BackboneFactory},
 * {@link RegularizerFactory}, {@link DistillerFactory}, {@link DatasetFactory}), or registered by hand.
 *
 * <p>Implementations must have a public no-argument constructor and be stateless.
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
     */
    T create(Params params);
}
