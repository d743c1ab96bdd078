package org.camloss.distill;

import java.util.List;
import java.util.Set;
import org.camloss.api.Distiller;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TeacherSignal;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.Normalization;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * CAAM-CAM matching distillation (Wang et al., ICCV 2021): one term {@code caam_cam} = mean over n, i, j
 * of |Φ(A_S)[n,i,j] − Φ(M_T)[n,i,j]|, entering the objective with weight β.
 *
 * <p>A_S = Σ_c F_S[n, c] is the student's class-agnostic activation map and M_T the frozen teacher's
 * target-class CAM ({@link TeacherSignal#TARGET_CAM}), computed from the teacher's own features and
 * classifier for the student's targets. The runtime resizes M_T bilinearly to the student's feature-map
 * size H×W before it reaches this class, so teacher and student may differ in map size and channel
 * count; this class compares maps of equal size only. M_T is a constant: the gradient reaches the
 * student's features through Φ(A_S) alone, never the student's classifier.
 *
 * @param beta          β, the weight of the term
 * @param normalization Φ, per sample over the H·W pixels (as in {@code cam-loss})
 * @param eps           ε of Φ
 */
public record CaamCamDistiller(double beta, Normalization normalization, double eps) implements Distiller {
    /** The term's name. */
    public static final String TERM = "caam_cam";

    @Override
    public Set<TeacherSignal> requires() {
        return Set.of(TeacherSignal.TARGET_CAM);
    }

    @Override
    public List<LossTerm> define(LossContext student, TeacherOutputs teacher) {
        SDVariable target = teacher.targetCam()
                .orElseThrow(() -> new IllegalStateException(CaamCamDistillerFactory.ID
                        + ": the teacher's outputs carry no target CAM, although it is required"));
        SDVariable caam = CamMaps.caam(student.outputs().features());
        SDVariable value = CamMaps.meanAbsDifference(
                CamMaps.normalize(caam, normalization, eps), CamMaps.normalize(target, normalization, eps));
        return List.of(LossTerm.of(TERM, value, beta));
    }
}
