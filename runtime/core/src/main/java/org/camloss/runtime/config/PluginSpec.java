package org.camloss.runtime.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.camloss.api.Params;

/**
 * One resolved component node, {@code { id: cam-loss, params: { alpha: 1.0, ... } }}: a plugin (or
 * built-in optimizer / schedule) named by its canonical id, with every declared parameter present.
 *
 * @param id     canonical kebab-case id (an alias in the config is replaced by the id it stands for)
 * @param params every declared parameter in declaration order, converted to its declared Java type
 *               ({@link Integer}, {@link Double}, {@link Boolean}, {@link String}); unmodifiable
 */
public record PluginSpec(String id, Map<String, Object> params) {

    public PluginSpec {
        Objects.requireNonNull(id, "id");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(params, "params")));
    }

    /** A node with no parameters. */
    public static PluginSpec of(String id) {
        return new PluginSpec(id, Map.of());
    }

    /** The parameters as {@link Params}, ready for {@link org.camloss.api.PluginFactory#create(Params)}. */
    public Params toParams() {
        return Params.ofResolved(params);
    }

    /** This node in config layout: {@code {id: ..., params: {...}}}, mutable copies. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("params", new LinkedHashMap<>(params));
        return m;
    }
}
