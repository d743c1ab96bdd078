package org.camloss.api;

import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Outputs of the frozen teacher on the student's batch, as constants of the student's head graph (no
 * gradient flows into them). Only the signals a distiller {@linkplain Distiller#requires() requires} are present.
 *
 * @param logits    teacher logits [N, K]
 * @param targetCam teacher target-class CAM [N, H, W] at the student's feature-map size
 */
public record TeacherOutputs(Optional<SDVariable> logits, Optional<SDVariable> targetCam) {
}
