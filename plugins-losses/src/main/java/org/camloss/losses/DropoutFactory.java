package org.camloss.losses;

import java.util.List;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.TargetEffect;

/**
 * {@code dropout} (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from Overfitting"): before
 * the head, each channel of each sample's feature map is dropped with probability {@code p} and the kept ones scaled
 * by 1 / (1 − p), in training only. The head averages each channel over the map, so this is exactly dropout of the
 * pooled features before the linear layer, and the step's CAMs are those of the dropped map. {@code block_p} also
 * drops units inside residual blocks where the family defines it (wide-resnet, between its two convolutions, as
 * Zagoruyko and Komodakis); a backbone that has no such place refuses it. Works for every backbone otherwise.
 */
public final class DropoutFactory implements RegularizerFactory {
    /** The id. */
    public static final String ID = "dropout";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Dropout (Srivastava et al. 2014) of the feature map's channels before the head (= of the pooled "
                + "features), and optionally inside residual blocks where the family defines it (wide-resnet).";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofDouble(
                        "p",
                        0.2,
                        Range.closedOpen(0, 1),
                        "Probability of dropping a channel of the feature map before the head (training only)."),
                ParamSpec.ofDouble(
                        "block_p",
                        0.0,
                        Range.closedOpen(0, 1),
                        "Probability of dropping a unit inside residual blocks, for families that define it "
                                + "(wide-resnet); 0: none."));
    }

    @Override
    public Regularizer create(Params params) {
        NetworkRegularization network = NetworkRegularization.featureDropout(params.getDouble("p"))
                .withBlockDropout(params.getDouble("block_p"));
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
