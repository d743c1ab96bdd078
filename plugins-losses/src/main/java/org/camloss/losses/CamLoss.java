package org.camloss.losses;

import java.util.List;
import org.camloss.api.EpochWeight;
import org.camloss.api.HeadOutputs;
import org.camloss.api.Loss;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.Normalization;
import org.camloss.api.model.CamHead;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * CAM-loss (Wang et al., ICCV 2021): L = L_ce + α · mean |Φ(A) − Φ(M)|, with A the class-agnostic
 * activation map and M the target CAM. Defines two terms, {@code ce} and {@code cam}.
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
        return List.of(CamHead.crossEntropyTerm(ctx), new LossTerm("cam", camTerm(ctx, routing, normalization, eps), warmup)
                .withKernel(new CamTermKernel(routing, normalization, eps)));
    }

    /** The CAM term mean |Φ(A) − Φ(M)| alone, with the given routing. */
    public static SDVariable camTerm(LossContext ctx, Routing routing, Normalization normalization, double eps) {
        SameDiff sd = ctx.sameDiff();
        HeadOutputs out = ctx.outputs();
        SDVariable weight = routing == Routing.FULL ? out.weight() : new StopGradient(sd, out.weight()).outputVariable();
        SDVariable caam = CamMaps.caam(out.features());
        SDVariable cam = CamMaps.cam(out.features(), weight, ctx.targets(), out.channels());
        if (routing == Routing.DETACHED_CAM) {
            cam = new StopGradient(sd, cam).outputVariable();
        }
        return CamMaps.meanAbsDifference(CamMaps.normalize(caam, normalization, eps),
                CamMaps.normalize(cam, normalization, eps));
    }
}
