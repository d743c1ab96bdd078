package org.camloss.api.cam;

import org.camloss.api.EpochWeight;
import org.camloss.api.HeadOutputs;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.loss.LossMath;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * CAM-loss's CAM term, mean_{n,i,j} |Φ(A_n) − Φ(M_n)| (Wang et al., ICCV 2021, eq. 3–5; the method notes in
 * {@code docs/cam-loss.md}), as a building block any loss can add: A is the class-agnostic activation map
 * (CAAM, Σ_c F_c) and M the target CAM (Σ_c (q·W)_c F_c) of the features F [N, C, H, W], classifier weights
 * W [K, C] and targets q [N, K]; Φ normalises each map over its H·W pixels. When the context carries per-cell
 * targets Q ({@link LossContext#pixelTargets()}, cutmix with {@code cam_target: regional}), M is the regional target
 * CAM, each cell's CAM being that of its own target: M[n, i, j] = Σ_c (Q[n, i, j, :]·W)[c] F[n, c, i, j].
 *
 * <p>{@link #term} carries the hand-written {@link CamTermKernel}, so the head computes the term in a handful of
 * native calls instead of about fifty SameDiff operations; its SameDiff definition ({@link #value}) stays the
 * reference, and the contract kit checks the two agree.
 */
public final class CamTerm {
    /** The name of the term {@link #term} returns. */
    public static final String NAME = "cam";

    private CamTerm() {}

    /**
     * The term {@code cam} with its kernel.
     *
     * @param routing       where the gradient flows (the paper's split update is {@link Routing#WEIGHT_DETACHED})
     * @param normalization Φ
     * @param eps           ε of Φ (a flat map normalises to zeros, never NaN)
     * @param weight        α per epoch
     */
    public static LossTerm term(
            LossContext ctx, Routing routing, Normalization normalization, double eps, EpochWeight weight) {
        return new LossTerm(NAME, value(ctx, routing, normalization, eps), weight)
                .withKernel(new CamTermKernel(routing, normalization, eps));
    }

    /**
     * The SameDiff definition of the term, mean |Φ(A) − Φ(M)|, with the given routing.
     *
     * @return a scalar, the mean over samples and pixels
     */
    public static SDVariable value(LossContext ctx, Routing routing, Normalization normalization, double eps) {
        HeadOutputs out = ctx.outputs();
        SDVariable weight = routing == Routing.FULL ? out.weight() : LossMath.stopGradient(out.weight());
        SDVariable caam = CamMaps.caam(out.features());
        SDVariable cam = ctx.pixelTargets().isPresent()
                ? CamMaps.regionalCam(out.features(), weight, ctx.pixelTargets().get(), out.channels(), out.classes())
                : CamMaps.cam(out.features(), weight, ctx.targets(), out.channels());
        if (routing == Routing.DETACHED_CAM) {
            cam = LossMath.stopGradient(cam);
        }
        return CamMaps.meanAbsDifference(
                CamMaps.normalize(caam, normalization, eps), CamMaps.normalize(cam, normalization, eps));
    }
}
