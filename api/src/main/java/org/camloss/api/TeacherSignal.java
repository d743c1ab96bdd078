package org.camloss.api;

/** Outputs of a frozen teacher that a {@link Distiller} can ask for. */
public enum TeacherSignal {
    /** Teacher logits [N, K]. */
    LOGITS,
    /** Teacher target-class CAM [N, H, W], resized bilinearly to the student's feature-map size. */
    TARGET_CAM,
    /**
     * The teacher's declared stage maps, shallow to deep, each [N, C_t, H_t, W_t] at the teacher's own size.
     * A distiller that requires them also receives the student's stages in {@link HeadOutputs#stages()}.
     */
    STAGES
}
