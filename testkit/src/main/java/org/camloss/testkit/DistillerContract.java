package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.camloss.api.Distiller;
import org.camloss.api.DistillerFactory;
import org.camloss.api.LossTerm;
import org.camloss.api.TeacherSignal;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.head.TeacherColumns;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The contract of a {@link DistillerFactory}: every check of {@link PluginContract}, plus: the distiller
 * requires at least one teacher signal, and given a teacher's signals in the head's label columns its
 * terms are finite batch means whose gradient reaches the student's features (or, for distillers of
 * {@link TeacherSignal#STAGES}, its stages; there the student has a stage [N, 2, 8, 10] before its features
 * [N, C, 4, 5] and the teacher stages [N, 3, 8, 10] and [N, 6, 4, 5]).
 */
public abstract class DistillerContract extends PluginContract<DistillerFactory> {
    @Override
    protected final Class<DistillerFactory> kind() {
        return DistillerFactory.class;
    }

    /** The distiller built from {@link #testParams()}. */
    protected final Distiller distiller() {
        return factory().create(resolvedTestParams());
    }

    @Test
    void requiresSomeTeacherSignal() {
        assertFalse(distiller().requires().isEmpty(), "a distiller must read at least one teacher signal");
    }

    @Test
    void termsAreFiniteAndReachTheFeatures() {
        Distiller d = distiller();
        int n = 3;
        int h = 4;
        int w = 5;
        boolean stages = d.requires().contains(TeacherSignal.STAGES);
        // student: one stage [n, 2, 8, 10] before its features [n, C, 4, 5]; teacher: [n, 3, 8, 10], [n, 6, 4, 5]
        List<TeacherColumns.StageShape> teacherStages = stages
                ? List.of(new TeacherColumns.StageShape(3, 2 * h, 2 * w), new TeacherColumns.StageShape(6, h, w))
                : List.of();
        TeacherColumns columns = new TeacherColumns(TinyNets.CLASSES, h, w, d.requires(), teacherStages);
        Objective objective =
                new Objective(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0)), List.of(), List.of(d));
        objective.bindTeacher((ctx, labels) -> columns.slice(labels));
        Nd4j.getRandom().setSeed(5);
        INDArray targets = TinyNets.oneHot(n, DataType.DOUBLE);
        List<INDArray> teacherMaps = new java.util.ArrayList<>();
        for (TeacherColumns.StageShape s : teacherStages) {
            teacherMaps.add(Nd4j.randn(DataType.DOUBLE, n, s.channels(), s.height(), s.width()));
        }
        INDArray labels = columns.pack(
                        targets,
                        Nd4j.randn(DataType.DOUBLE, n, TinyNets.CLASSES),
                        Nd4j.rand(DataType.DOUBLE, n, h, w),
                        teacherMaps)
                .castTo(DataType.DOUBLE);
        INDArray features = Nd4j.randn(DataType.DOUBLE, n, TinyNets.CHANNELS, h, w);
        INDArray weight = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS);
        INDArray bias = Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES);
        HeadHarness harness = new HeadHarness(DataType.DOUBLE);
        HeadHarness.Result r = stages
                ? harness.runWithStages(
                        objective,
                        features,
                        List.of(Nd4j.randn(DataType.DOUBLE, n, 2, 2 * h, 2 * w)),
                        weight,
                        bias,
                        labels)
                : harness.runWithTeacher(objective, features, weight, bias, labels);
        assertTrue(r.terms().size() > 1, "the distiller defined no terms");
        r.terms().forEach((name, v) -> assertTrue(Double.isFinite(v), "term " + name + " is " + v));
        double reach = r.gradFeatures().norm2Number().doubleValue();
        for (INDArray g : r.gradStages()) {
            reach += g.norm2Number().doubleValue();
        }
        assertTrue(reach > 0, "no gradient reaches the student's features or stages");
    }

    /** For subclasses: every signal a teacher can give. */
    protected static List<TeacherSignal> allSignals() {
        return List.of(TeacherSignal.values());
    }
}
