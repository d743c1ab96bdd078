package org.camloss.distill;

import java.util.List;
import org.camloss.api.Distiller;
import org.camloss.api.DistillerFactory;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.cam.Normalization;

/** {@code caam-cam}: β times the distance between the student's normalised CAAM and the teacher's target CAM. */
public final class CaamCamDistillerFactory implements DistillerFactory {
    /** The id. */
    public static final String ID = "caam-cam";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofDouble("beta", 1.0, 0.0, 1000.0, "Weight β of the CAAM-CAM term (0 switches it off)."),
            ParamSpec.ofChoice(
                    "normalization", Normalization.MIN_MAX, "Per-sample map normalisation Φ, applied to both maps."),
            ParamSpec.ofDouble(
                    "eps",
                    CamMaps.DEFAULT_EPS,
                    Range.openClosed(0, 1),
                    "ε added to the denominator of Φ; positive, so a flat map normalises to zeros, never 0/0."));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "CAAM-CAM distillation (Wang et al., ICCV 2021): "
                + "β · mean |Φ(student CAAM) − Φ(teacher target CAM)|.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    @Override
    public Distiller create(Params p) {
        return new CaamCamDistiller(
                p.getDouble("beta"), p.getChoice("normalization", Normalization.class), p.getDouble("eps"));
    }
}
