package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/** Makes {@code resnext} backbones: ResNeXt-29 (CIFAR) and ResNeXt-50/101 (ImageNet) of Xie et al. (2017). */
public final class ResNeXtFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "resnext";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofInt(
                    "depth",
                    29,
                    11,
                    101,
                    "Number of weighted layers: 9n+2 (11, 20, 29) with the cifar stem; 50 or 101 with the imagenet stem."),
            ParamSpec.ofInt("cardinality", 8, 1, 64, "Cardinality C: the number of parallel paths (groups) per block."),
            ParamSpec.ofInt(
                    "base_width",
                    64,
                    1,
                    256,
                    "Width d of one path in the first stage (doubling per stage), e.g. 64 for 8x64d, 4 for 32x4d."),
            ParamSpec.ofChoice(
                    "stem",
                    "cifar",
                    List.of("cifar", "imagenet"),
                    "cifar: one 3x3 convolution, three stages (stride 4); imagenet: 7x7/2 convolution, 3x3/2 max-pool, "
                            + "four stages (stride 32)."),
            ParamSpec.ofDouble(
                    "width",
                    1.0,
                    0.015625,
                    4.0,
                    "Multiplier of the stem width 64 and the block output widths 256/512/1024/2048."));

    /** For {@link java.util.ServiceLoader}. */
    public ResNeXtFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "ResNeXt (Xie et al. 2017): bottleneck blocks with C parallel paths of width d (grouped 3x3 "
                + "convolution as parallel convolutions); CIFAR (ResNeXt-29) or ImageNet (ResNeXt-50/101) layout.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code depth} does not fit the stem
     */
    @Override
    public Backbone create(Params params) {
        return new ResNeXt(
                params.getInt("depth"),
                params.getInt("cardinality"),
                params.getInt("base_width"),
                params.getString("stem").equals("imagenet"),
                params.getDouble("width"));
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
