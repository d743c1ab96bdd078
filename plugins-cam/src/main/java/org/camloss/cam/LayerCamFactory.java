package org.camloss.cam;

import java.util.Set;
import org.camloss.api.Params;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMath;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code layer-cam}: Jiang et al., "LayerCAM: Exploring Hierarchical Class Activation Maps for Localization" (IEEE
 * TIP 2021): every activation weighted by its own positive gradient, M = ReLU(Σ_c ReLU(∂z_t/∂A_c) ⊙ A_c), as
 * pytorch-grad-cam's {@code LayerCAM}. Meant for shallow layers as much as deep ones.
 */
public final class LayerCamFactory implements CamMethodFactory {
    /** The id. */
    public static final String ID = "layer-cam";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "LayerCAM (Jiang et al. 2021): each activation weighted by its positive gradient, summed over "
                + "channels, then ReLU.";
    }

    @Override
    public CamMethod create(Params params) {
        return new CamMethod() {
            @Override
            public INDArray maps(CamContext context) {
                INDArray a = context.activations();
                INDArray g = Transforms.relu(context.gradients().castTo(a.dataType()), false);
                return CamMath.relu(g.muli(a).sum(1));
            }

            @Override
            public Set<CamInput> requires() {
                return Set.of(CamInput.GRADIENTS);
            }
        };
    }
}
