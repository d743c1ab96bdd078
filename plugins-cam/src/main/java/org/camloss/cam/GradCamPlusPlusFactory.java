package org.camloss.cam;

import java.util.List;
import java.util.Set;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMath;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code grad-cam-plus-plus} (Grad-CAM++; {@code camloss explain --method grad-cam++} reads as this id, ids being
 * kebab-case and {@code +} joining ids elsewhere): Chattopadhay et al., "Grad-CAM++: Improved Visual Explanations for Deep Convolutional
 * Networks" (WACV 2018), in the closed form of their eq. 19 for an exponential output (as pytorch-grad-cam's
 * {@code GradCAMPlusPlus}): with g the gradient of the target logit,
 * a_c[i, j] = g² / (2 g² + Σ_ab A_c[a, b] · g³ + ε) where g ≠ 0 (else 0), channel weights
 * w_c = Σ_ij a_c[i, j] · ReLU(g_c[i, j]), and the map ReLU(Σ_c w_c A_c).
 */
public final class GradCamPlusPlusFactory implements CamMethodFactory {
    /** The id. */
    public static final String ID = "grad-cam-plus-plus";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Grad-CAM++ (Chattopadhay et al. 2018): pixel-wise weighted positive gradients (eq. 19), then ReLU.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.ofDouble(
                "eps",
                1e-6,
                Range.openClosed(0, 1),
                "Added to the denominator of the pixel weights (pytorch-grad-cam's)."));
    }

    @Override
    public CamMethod create(Params params) {
        double eps = params.getDouble("eps");
        return new CamMethod() {
            @Override
            public INDArray maps(CamContext context) {
                INDArray a = context.activations();
                INDArray g = context.gradients().castTo(a.dataType());
                long n = a.size(0);
                long c = a.size(1);
                INDArray g2 = g.mul(g);
                INDArray g3 = g2.mul(g);
                INDArray sumA = CamMath.spatialSum(a).reshape(n, c, 1, 1);
                INDArray denom = g3.mul(sumA).addi(g2.mul(2)).addi(eps);
                INDArray alpha = g2.div(denom);
                INDArray nonZero = g.neq(0).castTo(a.dataType());
                alpha.muli(nonZero);
                INDArray weights = CamMath.spatialSum(alpha.muli(Transforms.relu(g, true)));
                return CamMath.relu(CamMath.weightedSum(a, weights));
            }

            @Override
            public Set<CamInput> requires() {
                return Set.of(CamInput.GRADIENTS);
            }
        };
    }
}
