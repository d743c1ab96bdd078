package org.camloss.losses;

import java.util.List;
import org.camloss.api.EpochWeight;
import org.camloss.api.Loss;
import org.camloss.api.LossFactory;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.Normalization;
import org.camloss.api.cam.Routing;

/** {@code cam-loss}: cross-entropy plus α times the distance between the normalised CAAM and target CAM. */
public final class CamLossFactory implements LossFactory {
    /** The id. */
    public static final String ID = "cam-loss";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofDouble("alpha", 1.0, 0.0, 1000.0, "Weight α of the CAM term (0 gives plain cross-entropy)."),
            ParamSpec.ofChoice(
                    "routing",
                    Routing.WEIGHT_DETACHED,
                    "Gradient routing of the CAM term: weight-detached (classifier trained by cross-entropy only), "
                            + "full, or detached-cam (CAM is a constant target)."),
            ParamSpec.ofChoice("normalization", Normalization.MIN_MAX, "Per-sample map normalisation Φ."),
            ParamSpec.ofDouble(
                    "eps",
                    CamMaps.DEFAULT_EPS,
                    Range.openClosed(0, 1),
                    "ε added to the denominator of Φ; positive, so a flat map normalises to zeros, never 0/0."),
            ParamSpec.ofInt("warmup_epochs", 0, 0, 100000, "Epochs at the start with α = 0."),
            ParamSpec.ofInt(
                    "ramp_epochs",
                    0,
                    0,
                    100000,
                    "Epochs after the warm-up over which α rises linearly to its value (0: at once)."));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "CAM-loss (Wang et al., ICCV 2021): cross-entropy + α · mean |Φ(CAAM) − Φ(target CAM)|.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    @Override
    public Loss create(Params p) {
        double alpha = p.getDouble("alpha");
        return new CamLoss(
                alpha,
                p.getChoice("routing", Routing.class),
                p.getChoice("normalization", Normalization.class),
                p.getDouble("eps"),
                EpochWeight.warmup(alpha, p.getInt("warmup_epochs"), p.getInt("ramp_epochs")));
    }
}
