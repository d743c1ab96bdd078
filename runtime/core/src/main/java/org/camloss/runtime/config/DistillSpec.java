package org.camloss.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The optional {@code distill} section: the teacher to learn from and the distiller terms to add.
 *
 * @param teacher    the teacher's run directory, as written in the config (not resolved against any base,
 *                   not checked for existence)
 * @param distillers one or more resolved distiller plugin nodes
 * @param cacheTeacher compute the teacher's outputs once per training example instead of every epoch (only for
 *                   data that is not augmented)
 * @param teacherGraph how to read a teacher that is a plain DL4J graph rather than a camloss model
 */
public record DistillSpec(
        String teacher, List<PluginSpec> distillers, boolean cacheTeacher, Optional<TeacherGraphSpec> teacherGraph) {

    public DistillSpec {
        Objects.requireNonNull(teacher, "teacher");
        distillers = List.copyOf(distillers);
        Objects.requireNonNull(teacherGraph, "teacherGraph");
    }

    /** A section for a camloss teacher. */
    public DistillSpec(String teacher, List<PluginSpec> distillers, boolean cacheTeacher) {
        this(teacher, distillers, cacheTeacher, Optional.empty());
    }

    /** A section without teacher caching. */
    public DistillSpec(String teacher, List<PluginSpec> distillers) {
        this(teacher, distillers, false);
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
        m.put("cache_teacher", cacheTeacher);
        teacherGraph.ifPresent(g -> m.put("teacher_graph", g.toMap()));
        return m;
    }
}
