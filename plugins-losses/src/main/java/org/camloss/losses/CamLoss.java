package org.camloss.losses;

import java.util.List;
import org.camloss.api.EpochWeight;
import org.camloss.api.Loss;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.cam.CamTerm;
import org.camloss.api.cam.Normalization;
import org.camloss.api.cam.Routing;
import org.camloss.api.loss.CrossEntropy;

/**
 * CAM-loss (Wang et al., ICCV 2021): L = L_ce + α · mean |Φ(A) − Φ(M)|, with A the class-agnostic
 * activation map and M the target CAM. Defines two terms, {@code ce} ({@link CrossEntropy}) and {@code cam}
 * ({@link CamTerm}).
 *
 * @param alpha         α
 * @param routing       gradient routing of the CAM term
 * @param normalization Φ
 * @param eps           ε of Φ
 * @param warmup        α per epoch
 */
public record CamLoss(double alpha, Routing routing, Normalization normalization, double eps, EpochWeight warmup)
        implements Loss {

    @Override
    public List<LossTerm> define(LossContext ctx) {
        return List.of(CrossEntropy.term(ctx), CamTerm.term(ctx, routing, normalization, eps, warmup));
    }
}
