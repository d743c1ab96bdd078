package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/** Makes {@code mobilenet-v2} backbones: MobileNetV2 (Sandler et al. 2018) with a width multiplier. */
public final class MobileNetV2Factory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "mobilenet-v2";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofDouble(
                    "width",
                    1.0,
                    0.1,
                    2.0,
                    "Width multiplier alpha of every layer (channels rounded to multiples of 8; the last layer keeps "
                            + "1280 channels up to 1.0)."),
            ParamSpec.ofChoice(
                    "stem",
                    "imagenet",
                    List.of("imagenet", "cifar"),
                    "imagenet: stride-2 stem (total stride 32); cifar: stride 1 in the stem and the 24-channel group "
                            + "(total stride 8), for 32x32 inputs."));

    /** For {@link java.util.ServiceLoader}. */
    public MobileNetV2Factory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "MobileNetV2 (Sandler et al. 2018): inverted residual blocks with depthwise convolutions, width "
                + "multiplier; stride 32 (8 with the cifar stem).";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    @Override
    public Backbone create(Params params) {
        return new MobileNetV2(
                params.getDouble("width"), params.getString("stem").equals("cifar"));
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
