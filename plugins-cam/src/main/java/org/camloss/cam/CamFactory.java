package org.camloss.cam;

import java.util.Set;
import org.camloss.api.Params;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.camloss.api.cam.LinearHead;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code cam}: the class activation map of Zhou et al., "Learning Deep Features for Discriminative Localization"
 * (CVPR 2016), exactly as camloss's CAM-loss defines it: M[n] = Σ_c W[t_n, c] · A[n, c], with W the weights of the
 * global average pooling + linear head that classifies the map A. Raw: no bias, no ReLU, no normalisation (the
 * runtime min-max normalises for pictures). Needs that head at the target layer (a camloss model's feature map).
 */
public final class CamFactory implements CamMethodFactory {
    /** The id. */
    public static final String ID = "cam";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Class activation map (Zhou et al. 2016): the target class's head weights times the pooled map, "
                + "exact; needs a global-average-pooling + linear head at the layer.";
    }

    @Override
    public CamMethod create(Params params) {
        return new CamMethod() {
            @Override
            public INDArray maps(CamContext context) {
                LinearHead head = context.linearHead()
                        .orElseThrow(() -> new IllegalArgumentException("cam needs a global average pooling + linear "
                                + "head that classifies layer '" + context.layer() + "'"));
                INDArray a = context.activations();
                int[] t = context.targets();
                INDArray weights = Nd4j.create(a.dataType(), a.size(0), a.size(1));
                INDArray w = head.weight().castTo(a.dataType());
                for (int n = 0; n < t.length; n++) {
                    weights.putRow(n, w.getRow(t[n]));
                }
                return org.camloss.api.cam.CamMath.weightedSum(a, weights);
            }

            @Override
            public Set<CamInput> requires() {
                return Set.of(CamInput.LINEAR_HEAD);
            }
        };
    }
}
