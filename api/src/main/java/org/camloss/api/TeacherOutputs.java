package org.camloss.api;

import java.util.List;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Outputs of the frozen teacher on the student's batch, as constants of the student's head graph (no
 * gradient flows into them). Only the signals a distiller {@linkplain Distiller#requires() requires} are present.
 *
 * @param logits    teacher logits [N, K]
 * @param targetCam teacher target-class CAM [N, H, W] at the student's feature-map size
 * @param stages    the teacher's stage maps, shallow to deep, each [N, C_t, H_t, W_t] at the teacher's own
 *                  size ({@link TeacherSignal#STAGES}); empty when not required
 */
public record TeacherOutputs(Optional<SDVariable> logits, Optional<SDVariable> targetCam, List<StageMap> stages) {
    public TeacherOutputs {
        stages = List.copyOf(stages);
    }

    /** Outputs without stage maps. */
    public TeacherOutputs(Optional<SDVariable> logits, Optional<SDVariable> targetCam) {
        this(logits, targetCam, List.of());
    }
}
