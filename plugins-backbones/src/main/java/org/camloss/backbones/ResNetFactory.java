package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/**
 * Makes {@code resnet} backbones: the ImageNet ResNet-18/34/50/101/152 of He et al. (2016), with an
 * ImageNet or a small-input (CIFAR) stem.
 */
public final class ResNetFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "resnet";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofInt(
                    "depth",
                    18,
                    18,
                    152,
                    "Number of weighted layers: 18 or 34 (basic blocks), 50, 101 or 152 (bottleneck blocks)."),
            ParamSpec.ofChoice(
                    "stem",
                    "imagenet",
                    List.of("imagenet", "cifar"),
                    "imagenet: 7x7/2 convolution and 3x3/2 max-pool (stride 32); cifar: one 3x3/1 convolution, "
                            + "no max-pool (stride 8), for 32x32 inputs."),
            ParamSpec.ofDouble(
                    "width",
                    1.0,
                    0.015625,
                    4.0,
                    "Multiplier of the stage widths 64/128/256/512 (rounded, at least 1 channel)."));

    /** For {@link java.util.ServiceLoader}. */
    public ResNetFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "ImageNet-style ResNet-18/34/50/101/152 (He et al. 2016), basic or bottleneck blocks, with an "
                + "ImageNet (stride 32) or CIFAR (stride 8) stem.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code depth} is not 18, 34, 50, 101 or 152
     */
    @Override
    public Backbone create(Params params) {
        return new ResNet(
                params.getInt("depth"), params.getString("stem").equals("imagenet"), params.getDouble("width"));
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
