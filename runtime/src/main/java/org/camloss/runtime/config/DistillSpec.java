package org.camloss.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The optional {@code distill} section: the teacher to learn from and the distiller terms to add.
 *
 * @param teacher    the teacher's run directory, as written in the config (not resolved against any base,
 *                   not checked for existence)
 * @param distillers one or more resolved distiller plugin nodes
 */
public record DistillSpec(String teacher, List<PluginSpec> distillers) {

    public DistillSpec {
        Objects.requireNonNull(teacher, "teacher");
        distillers = List.copyOf(distillers);
    }

    /** This section in config layout: {@code {teacher, distillers: [...]}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("teacher", teacher);
        List<Object> list = new ArrayList<>();
        for (PluginSpec d : distillers) {
            list.add(d.toMap());
        }
        m.put("distillers", list);
        return m;
    }
}
