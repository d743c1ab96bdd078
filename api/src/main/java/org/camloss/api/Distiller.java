package org.camloss.api;

import java.util.List;
import java.util.Set;

/**
 * A knowledge-distillation term between a frozen teacher and the student. Distillers add terms to the
 * student's objective; several may be combined, together with the student's own {@link Loss}.
 */
public interface Distiller {
    /** The teacher outputs this distiller reads; the runtime computes only those. */
    Set<TeacherSignal> requires();

    /** The distillation terms, each a batch mean. */
    List<LossTerm> define(LossContext student, TeacherOutputs teacher);

    /**
     * Checks, once before training, that this distiller can work with the student and teacher at hand (for
     * example that stages it pairs exist in both). The default accepts every pair.
     *
     * @param student the student backbone's metadata
     * @param teacher the teacher's metadata, as saved with its model
     * @throws IllegalArgumentException with a message that names the problem and the valid choices
     */
    default void check(BackboneInfo student, BackboneInfo teacher) {}
}
