package org.example.camloss.plugins;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.EpochWeight;
import org.camloss.api.Loss;
import org.camloss.api.LossFactory;
import org.camloss.api.LossTerm;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.CamTerm;
import org.camloss.api.cam.Normalization;
import org.camloss.api.cam.Routing;
import org.camloss.api.loss.LossMath;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Focal loss (Lin et al., ICCV 2017), −mean_n Σ_k q_nk (1 − p_nk)^γ log p_nk with p = softmax(z), as a term named
 * {@code focal}; with {@code alpha > 0} it adds CAM-loss's CAM term ({@link CamTerm}, with its hand-written kernel)
 * weighted by α, so any loss can be "CAM-loss-ified".
 */
public final class FocalLossFactory implements LossFactory {
    @Override
    public String id() {
        return "focal";
    }

    @Override
    public String description() {
        return "Focal loss (Lin et al. 2017) with an optional CAM term weighted by alpha.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofDouble("gamma", 2.0, 0.0, 10.0, "Focusing parameter γ (0 gives cross-entropy)."),
                ParamSpec.ofDouble("alpha", 0.0, 0.0, 100.0, "Weight α of the CAM term (0: no CAM term)."));
    }

    @Override
    public Loss create(Params params) {
        double gamma = params.getDouble("gamma");
        double alpha = params.getDouble("alpha");
        return ctx -> {
            SameDiff sd = ctx.sameDiff();
            SDVariable logp = LossMath.logSoftmax(ctx.outputs().logits()); // [N, K], finite at any logit
            // (1 - p)^γ, with 1 - p kept away from 0 so the gradient of a saturated softmax stays finite for γ < 1
            SDVariable oneMinusP = sd.math().clipByValue(sd.math().exp(logp).rsub(1.0), 1e-12, 1.0);
            SDVariable focal = ctx.targets().mul(sd.math().pow(oneMinusP, gamma)).mul(logp).sum(1).mean().neg();
            List<LossTerm> terms = new ArrayList<>();
            terms.add(LossTerm.of("focal", focal, 1.0));
            if (alpha > 0) {
                terms.add(CamTerm.term(ctx, Routing.WEIGHT_DETACHED, Normalization.MIN_MAX, CamMaps.DEFAULT_EPS,
                        EpochWeight.constant(alpha)));
            }
            return terms;
        };
    }
}
