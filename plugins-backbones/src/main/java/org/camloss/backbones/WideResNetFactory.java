package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/** Makes {@code wide-resnet} backbones: WRN-depth-k of Zagoruyko and Komodakis (2016). */
public final class WideResNetFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "wide-resnet";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofInt(
                    "depth", 28, 10, 202, "Number of weighted layers, 6n+4 (16, 22, 28, 40), n blocks per stage."),
            ParamSpec.ofInt("widen", 10, 1, 20, "Widening factor k: stage widths 16k/32k/64k."),
            ParamSpec.ofDouble(
                    "dropout",
                    0.0,
                    0.0,
                    0.9,
                    "Probability of dropping a unit between the two convolutions of each block (training only)."));

    /** For {@link java.util.ServiceLoader}. */
    public WideResNetFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Wide ResNet WRN-d-k (Zagoruyko & Komodakis 2016): pre-activation blocks at widths 16k/32k/64k, "
                + "optional dropout, total stride 4.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code depth} is not 6n+4
     */
    @Override
    public Backbone create(Params params) {
        return new WideResNet(params.getInt("depth"), params.getInt("widen"), params.getDouble("dropout"));
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
