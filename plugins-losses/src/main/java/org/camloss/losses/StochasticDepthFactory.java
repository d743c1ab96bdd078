package org.camloss.losses;

import java.util.List;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.ResidualDrop;
import org.camloss.api.TargetEffect;

/**
 * {@code stochastic-depth} (Huang et al. 2016, "Deep Networks with Stochastic Depth"): in training, residual block l
 * of L keeps its branch with probability p_l = 1 − (l / L)·(1 − p_L), per sample, and is the identity (plus its ReLU)
 * otherwise; at inference the branch is scaled by p_l, as the paper does. For residual backbones only (resnet-cifar,
 * resnet, resnext, wide-resnet, pyramidnet); others refuse it. See {@link ResidualDrop}.
 */
public final class StochasticDepthFactory implements RegularizerFactory {
    /** The id. */
    public static final String ID = "stochastic-depth";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Stochastic depth (Huang et al. 2016): residual branches dropped per sample, survival decaying linearly "
                + "to p_last at the last block, branches scaled by their survival at inference.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.ofDouble(
                "p_last",
                0.5,
                Range.openClosed(0, 1),
                "p_L: survival probability of the last residual block (the paper: 0.5); block l of L keeps its branch "
                        + "with 1 - l/L (1 - p_L)."));
    }

    @Override
    public Regularizer create(Params params) {
        NetworkRegularization network =
                NetworkRegularization.residual(ResidualDrop.stochasticDepth(params.getDouble("p_last")));
        return new Regularizer() {
            @Override
            public NetworkRegularization network() {
                return network;
            }

            @Override
            public TargetEffect targetEffect() {
                return TargetEffect.KEEPS;
            }
        };
    }
}
