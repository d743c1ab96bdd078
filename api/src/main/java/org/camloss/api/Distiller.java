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
}
