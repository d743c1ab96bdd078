package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/** Makes {@code vgg} backbones: the convolutional part of VGG-11/13/16/19 with batch norm. */
public final class VggFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "vgg";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofInt("depth", 16, 11, 19, "Number of weighted layers of the original net: 11, 13, 16 or 19."),
            ParamSpec.ofBoolean(
                    "last_pool",
                    true,
                    "Keep the fifth max-pool (stride 32); false drops it for a 2x larger map (stride 16), as in CAM."),
            ParamSpec.ofDouble(
                    "width",
                    1.0,
                    0.015625,
                    4.0,
                    "Multiplier of the stage widths 64/128/256/512/512 (rounded, at least 1 channel)."));

    /** For {@link java.util.ServiceLoader}. */
    public VggFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "VGG-11/13/16/19 with batch norm (Simonyan & Zisserman 2015), convolutional part only, "
                + "total stride 32 (16 without the last max-pool).";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code depth} is not 11, 13, 16 or 19
     */
    @Override
    public Backbone create(Params params) {
        return new Vgg(params.getInt("depth"), params.getBoolean("last_pool"), params.getDouble("width"));
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
