package org.camloss.cam;

import java.util.Set;
import org.camloss.api.Params;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code caam}: the class-agnostic activation map of Wang et al., "CAM-loss: Towards Learning Spatially
 * Discriminative Feature Representations" (ICCV 2021): A[n] = Σ_c F[n, c], the whole feature response whatever the
 * target. At the default layer (the map the head pools) it is the map CAM-loss pulls towards the target CAM; at
 * another layer it is that layer's channel sum. Raw, like {@code cam}.
 */
public final class CaamFactory implements CamMethodFactory {
    /** The id. */
    public static final String ID = "caam";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Class-agnostic activation map (Wang et al. 2021, CAM-loss): the sum of the layer's channels, the same "
                + "for every target.";
    }

    @Override
    public CamMethod create(Params params) {
        return new CamMethod() {
            @Override
            public INDArray maps(CamContext context) {
                return context.activations().sum(1);
            }

            @Override
            public Set<CamInput> requires() {
                return Set.of();
            }
        };
    }
}
