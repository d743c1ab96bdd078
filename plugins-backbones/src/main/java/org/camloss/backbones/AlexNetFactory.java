package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/** Makes {@code alexnet} backbones: AlexNet's convolutional part. */
public final class AlexNetFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "alexnet";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofBoolean(
                    "last_pool",
                    true,
                    "Keep the last max-pool (stride 32); false drops it for a 2x larger map (stride 16)."),
            ParamSpec.ofDouble(
                    "width",
                    1.0,
                    0.015625,
                    4.0,
                    "Multiplier of the widths 64/192/384/256/256 (rounded, at least 1 channel)."));

    /** For {@link java.util.ServiceLoader}. */
    public AlexNetFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "AlexNet (Krizhevsky et al. 2012), convolutional part only, no batch norm, total stride 32 "
                + "(16 without the last max-pool).";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    @Override
    public Backbone create(Params params) {
        return new AlexNet(params.getBoolean("last_pool"), params.getDouble("width"));
    }

    /**
     * Creates the {@code Backbone} to report what its constructor refuses (creation only records the settings; the
     * layers are added later, in {@code build}), so rules between parameters are reported with every other
     * problem of a config.
     */
    @Override
    public List<ParamProblem> validate(Params params) {
        return PluginFactory.creationProblems(this, params);
    }
}
