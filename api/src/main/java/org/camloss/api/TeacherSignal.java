package org.camloss.api;

/** Outputs of a frozen teacher that a {@link Distiller} can ask for. */
public enum TeacherSignal {
    /** Teacher logits [N, K]. */
    LOGITS,
    /** Teacher target-class CAM [N, H, W], resized bilinearly to the student's feature-map size. */
    TARGET_CAM
}
