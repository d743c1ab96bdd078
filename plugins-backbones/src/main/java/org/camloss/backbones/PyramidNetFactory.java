package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/** Makes {@code pyramidnet} backbones: the additive PyramidNet of Han et al. (2017), basic or bottleneck blocks. */
public final class PyramidNetFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "pyramidnet";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofInt(
                    "depth",
                    110,
                    8,
                    1000,
                    "Number of weighted layers: 6n+2 with basic blocks (110), 9n+2 with bottleneck blocks (164, 272)."),
            ParamSpec.ofDouble(
                    "alpha",
                    48.0,
                    0.0,
                    1000.0,
                    "Widening factor alpha: the width grows linearly from 16 to 16 + alpha over all blocks."),
            ParamSpec.ofChoice(
                    "block",
                    "basic",
                    List.of("basic", "bottleneck"),
                    "basic: two 3x3 convolutions; bottleneck: 1x1, 3x3, 1x1 with 4x wider outputs."));

    /** For {@link java.util.ServiceLoader}. */
    public PyramidNetFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Additive PyramidNet (Han et al. 2017) for CIFAR: widths growing by alpha/N per block, zero-padded "
                + "identity shortcuts, total stride 4.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code depth} does not fit the block type
     */
    @Override
    public Backbone create(Params params) {
        return new PyramidNet(
                params.getInt("depth"),
                params.getDouble("alpha"),
                params.getString("block").equals("bottleneck"));
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
