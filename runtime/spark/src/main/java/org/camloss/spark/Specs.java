package org.camloss.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.runtime.config.PluginSpec;

/** A config's plugin node in a form Java serialisation carries to the executors. */
record Specs(String id, LinkedHashMap<String, Object> params) implements Serializable {
    static Specs of(PluginSpec spec) {
        return new Specs(spec.id(), copy(spec.params()));
    }

    PluginSpec toSpec() {
        return new PluginSpec(id, params);
    }

    static List<Specs> of(List<PluginSpec> specs) {
        List<Specs> out = new ArrayList<>();
        specs.forEach(s -> out.add(of(s)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static LinkedHashMap<String, Object> copy(Map<String, ?> map) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    private static Object value(Object v) {
        if (v instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, ?> sm = (Map<String, ?>) m;
            return copy(sm);
        }
        if (v instanceof List<?> l) {
            ArrayList<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(value(x)));
            return out;
        }
        return v;
    }
}
