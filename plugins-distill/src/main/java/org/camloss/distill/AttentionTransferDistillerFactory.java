package org.camloss.distill;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.Distiller;
import org.camloss.api.DistillerFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;
import org.camloss.api.Range;

/** {@code at}: attention transfer between paired backbone stages (Zagoruyko &amp; Komodakis, 2017). */
public final class AttentionTransferDistillerFactory implements DistillerFactory {
    /** The id. */
    public static final String ID = "at";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofDouble(
                    "beta",
                    1000.0,
                    0.0,
                    1.0e6,
                    "Weight β of the attention term (the paper's 1000; the term already carries the ½)."),
            ParamSpec.ofDouble("p", 2.0, 1.0, 8.0, "Power p of the channel pooling mean_c |A_c|^p."),
            ParamSpec.ofString(
                    "stages",
                    "all",
                    "Student stages to match: 'all' (every stage the two share, "
                            + "paired from the deepest) or comma-separated indices, 0 = shallowest, e.g. '1,2'."),
            ParamSpec.ofDouble(
                    "eps",
                    1e-12,
                    Range.openClosed(0, 1),
                    "ε added to the L2 norm of each attention map; positive, so an all-zero map stays finite."));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Attention transfer (Zagoruyko & Komodakis, 2017): "
                + "β · ½ Σ_stages mean (q_student − q_teacher)², q = normalised mean_c |A_c|^p.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    @Override
    public Distiller create(Params p) {
        return new AttentionTransferDistiller(
                p.getDouble("beta"), p.getDouble("p"), parseStages(p.getString("stages")), p.getDouble("eps"));
    }

    /** Parses {@code all} or a comma list of distinct non-negative indices, in increasing order. */
    static List<Integer> parseStages(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("all")) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        for (String part : t.split(",")) {
            int i;
            try {
                i = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("stages: '" + text + "' is not 'all' or a comma-separated list of "
                        + "stage indices (0 = shallowest), e.g. '1,2'");
            }
            if (i < 0 || out.contains(i)) {
                throw new IllegalArgumentException("stages: '" + text + "' has " + (i < 0 ? "a negative" : "a repeated")
                        + " index " + i + "; give distinct indices >= 0, e.g. '1,2'");
            }
            out.add(i);
        }
        return List.copyOf(out);
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
