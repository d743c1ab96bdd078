package org.camloss.cam;

import java.util.Set;
import org.camloss.api.Params;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMath;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code grad-cam}: Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
 * Localization" (ICCV 2017): channel weights α_c = (1 / h·w) Σ_ij ∂z_t / ∂A_c[i, j], the map ReLU(Σ_c α_c A_c), as
 * pytorch-grad-cam's {@code GradCAM} with the raw logit as target. For a global average pooling + linear head at the
 * target layer, ∂z_t/∂A_c[i, j] = W[t, c] / (h·w), so Grad-CAM there is ReLU(CAM) / (h·w).
 */
public final class GradCamFactory implements CamMethodFactory {
    /** The id. */
    public static final String ID = "grad-cam";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Grad-CAM (Selvaraju et al. 2017): channels weighted by the spatial mean of the target logit's "
                + "gradient, then ReLU.";
    }

    @Override
    public CamMethod create(Params params) {
        return new CamMethod() {
            @Override
            public INDArray maps(CamContext context) {
                INDArray weights = CamMath.spatialMean(context.gradients());
                return CamMath.relu(CamMath.weightedSum(context.activations(), weights));
            }

            @Override
            public Set<CamInput> requires() {
                return Set.of(CamInput.GRADIENTS);
            }
        };
    }
}
