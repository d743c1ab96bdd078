package org.camloss.runtime.distill;

import java.util.List;
import java.util.Set;
import org.camloss.api.Distiller;
import org.camloss.api.DistillerFactory;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TeacherSignal;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.Normalization;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A test distiller that reads both teacher signals: {@code logit_mse} = mean (z_S − z_T)² and
 * {@code map_l1} = mean |Φ(CAAM_S) − Φ(CAM_T)|. Registered by hand in the tests, not through ServiceLoader.
 */
public final class LogitMatchDistillerFactory implements DistillerFactory {
    @Override
    public String id() {
        return "logit-match";
    }

    @Override
    public String description() {
        return "Test distiller: squared logit difference plus the CAAM/teacher-CAM distance.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.ofDouble("weight", 0.5, 0, 10, "Weight of both terms."));
    }

    @Override
    public Distiller create(Params params) {
        double weight = params.getDouble("weight");
        return new Distiller() {
            @Override
            public Set<TeacherSignal> requires() {
                return Set.of(TeacherSignal.LOGITS, TeacherSignal.TARGET_CAM);
            }

            @Override
            public List<LossTerm> define(LossContext student, TeacherOutputs teacher) {
                SDVariable diff =
                        student.outputs().logits().sub(teacher.logits().orElseThrow());
                SDVariable mse = diff.mul(diff).mean();
                SDVariable caam = CamMaps.normalize(
                        CamMaps.caam(student.outputs().features()), Normalization.MIN_MAX, CamMaps.DEFAULT_EPS);
                SDVariable cam = CamMaps.normalize(
                        teacher.targetCam().orElseThrow(), Normalization.MIN_MAX, CamMaps.DEFAULT_EPS);
                return List.of(
                        LossTerm.of("logit_mse", mse, weight),
                        LossTerm.of("map_l1", CamMaps.meanAbsDifference(caam, cam), weight));
            }
        };
    }
}
