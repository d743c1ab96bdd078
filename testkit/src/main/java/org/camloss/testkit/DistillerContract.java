package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.camloss.api.Distiller;
import org.camloss.api.DistillerFactory;
import org.camloss.api.LossTerm;
import org.camloss.api.TeacherSignal;
import org.camloss.api.model.CamHead;
import org.camloss.api.model.Objective;
import org.camloss.api.model.TeacherColumns;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The contract of a {@link DistillerFactory}: every check of {@link PluginContract}, plus: the distiller
 * requires at least one teacher signal, and given a teacher's signals in the head's label columns its
 * terms are finite batch means whose gradient reaches the student's features.
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
        TeacherColumns columns = new TeacherColumns(TinyNets.CLASSES, h, w, d.requires());
        Objective objective = new Objective(ctx -> List.of(LossTerm.of("ce", CamHead.crossEntropy(ctx), 1.0)),
                List.of(), List.of(d));
        objective.bindTeacher((ctx, labels) -> columns.slice(labels));
        Nd4j.getRandom().setSeed(5);
        INDArray targets = TinyNets.oneHot(n, DataType.DOUBLE);
        INDArray labels = columns.pack(targets, Nd4j.randn(DataType.DOUBLE, n, TinyNets.CLASSES),
                Nd4j.rand(DataType.DOUBLE, n, h, w)).castTo(DataType.DOUBLE);
        HeadHarness.Result r = new HeadHarness(DataType.DOUBLE).runWithTeacher(objective,
                Nd4j.randn(DataType.DOUBLE, n, TinyNets.CHANNELS, h, w),
                Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES, TinyNets.CHANNELS),
                Nd4j.randn(DataType.DOUBLE, TinyNets.CLASSES), labels);
        assertTrue(r.terms().size() > 1, "the distiller defined no terms");
        r.terms().forEach((name, v) -> assertTrue(Double.isFinite(v), "term " + name + " is " + v));
        assertTrue(r.gradFeatures().norm2Number().doubleValue() > 0, "no gradient reaches the student's features");
    }

    /** For subclasses: every signal a teacher can give. */
    protected static List<TeacherSignal> allSignals() {
        return List.of(TeacherSignal.values());
    }
}
