package org.camloss.distill;

import java.util.List;
import org.camloss.api.Distiller;
import org.camloss.api.DistillerFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/**
 * {@code kd}: Hinton's knowledge distillation, γ · T² · KL(softmax(z_T / T) ‖ softmax(z_S / T)).
 *
 * <p>The default γ is 1. Hinton et al. and many re-implementations weight a convex mix, (1 − a) · CE +
 * a · T² · KL with a = 0.9; here the student's loss plugin keeps cross-entropy at weight 1, so that mix
 * corresponds to γ = 9, and the neutral default 1 is used instead (equal footing of the two terms, as in
 * {@code docs/cam-loss.md}, which names no value). Bounds are inclusive, so the smallest temperature
 * accepted is 0.01 rather than any positive number.
 */
public final class KdDistillerFactory implements DistillerFactory {
    /** The id. */
    public static final String ID = "kd";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofDouble(
                    "temperature",
                    4.0,
                    0.01,
                    100.0,
                    "Softmax temperature T applied to both teacher and student logits."),
            ParamSpec.ofDouble(
                    "weight", 1.0, 0.0, 1000.0, "Weight γ of the T²-scaled KL term (cross-entropy keeps weight 1)."));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Hinton knowledge distillation: γ · T² · KL(softmax(z_T/T) ‖ softmax(z_S/T)) on the logits.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    @Override
    public Distiller create(Params p) {
        return new KdDistiller(p.getDouble("temperature"), p.getDouble("weight"));
    }

    /**
     * Creates the {@code Distiller} to report what its constructor refuses (creation only records the settings; its terms are
     * defined later, on the head's graph), so rules between parameters are reported with every other
     * problem of a config.
     */
    @Override
    public List<ParamProblem> validate(Params params) {
        return PluginFactory.creationProblems(this, params);
    }
}
