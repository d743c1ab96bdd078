package org.camloss.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Optional;
import org.camloss.api.TeacherSignal;
import org.camloss.api.data.DatasetInfo;
import org.camloss.engine.head.TeacherColumns;
import org.camloss.runtime.config.DistillSpec;
import org.camloss.runtime.config.TeacherGraphSpec;
import org.camloss.runtime.distill.Teacher;

/**
 * The frozen teacher of a distillation run as the executors load it: the config's {@code distill} node (the teacher's
 * path and, for a plain DL4J graph, its {@code teacher_graph} description), the signals the distillers read and the
 * student's feature-map size, all of which Java serialisation carries; each executor thread loads the teacher from the
 * path once ({@link #teacher}), as the driver did, so the file must be readable at the same path on every executor
 * (like the dataset's files: a shared or copied file system). Teachers are not thread-safe (their inference buffers),
 * hence one per thread; the teacher cache of {@code distill.cache_teacher} is not used on executors (each minibatch
 * runs the teacher).
 *
 * @param path     the teacher file or run directory, as in the config
 * @param logits   {@code teacher_graph.logits}, or null for a camloss teacher (as are the next three)
 * @param features {@code teacher_graph.features}
 * @param stages   {@code teacher_graph.stages}
 * @param format   {@code teacher_graph.format}
 * @param signals  what the distillers read from the teacher
 * @param columns  the label layout the driver's teacher gives the head (targets, then its signals)
 */
record ExecutorTeacher(
        String path,
        String logits,
        String features,
        ArrayList<String> stages,
        String format,
        EnumSet<TeacherSignal> signals,
        TeacherColumns columns)
        implements Serializable {

    private static final ThreadLocal<Loaded> LOADED = new ThreadLocal<>();

    private record Loaded(ExecutorTeacher spec, Teacher teacher) {}

    /** The executors' form of the driver's teacher {@code teacher}, loaded from {@code spec}. */
    static ExecutorTeacher of(DistillSpec spec, Teacher teacher) {
        Optional<TeacherGraphSpec> g = spec.teacherGraph();
        TeacherColumns columns = teacher.columns();
        EnumSet<TeacherSignal> signals = EnumSet.noneOf(TeacherSignal.class);
        signals.addAll(columns.signals());
        return new ExecutorTeacher(
                spec.teacher(),
                g.map(TeacherGraphSpec::logits).orElse(null),
                g.map(TeacherGraphSpec::features).orElse(null),
                g.map(x -> new ArrayList<>(x.stages())).orElse(null),
                g.map(TeacherGraphSpec::format).orElse(null),
                signals,
                columns);
    }

    /**
     * This thread's teacher, loaded on first use (as {@code ExperimentParts} loads it on the driver).
     *
     * @param data the student's dataset description (shape and classes the teacher must fit)
     * @throws org.camloss.api.UserException when the file cannot be read here or does not fit
     */
    Teacher teacher(DatasetInfo data) {
        Loaded l = LOADED.get();
        if (l == null || !l.spec().equals(this)) {
            Optional<TeacherGraphSpec> graph = logits == null
                    ? Optional.empty()
                    : Optional.of(new TeacherGraphSpec(logits, features, stages, format));
            Teacher t = Teacher.load(Path.of(path), graph, data, new int[] {columns.mapH(), columns.mapW()}, signals);
            if (!t.columns().equals(columns)) {
                throw new IllegalStateException("the teacher at " + path + " gives another label layout on this "
                        + "executor (" + t.columns() + ") than on the driver (" + columns + "); is it the same file?");
            }
            l = new Loaded(this, t);
            LOADED.set(l);
        }
        return l.teacher();
    }
}
