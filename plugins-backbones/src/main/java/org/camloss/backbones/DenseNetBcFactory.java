package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/** Makes {@code densenet-bc} backbones: DenseNet-BC (Huang et al. 2017) with CIFAR or ImageNet stems. */
public final class DenseNetBcFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "densenet-bc";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofInt(
                    "depth",
                    100,
                    10,
                    264,
                    "Number of weighted layers: 6n+4 (40, 100, 190, 250) with the cifar stem; 121, 161, 169 or 201 "
                            + "with the imagenet stem."),
            ParamSpec.ofInt("growth_rate", 12, 1, 128, "Growth rate k: channels each bottleneck layer adds."),
            ParamSpec.ofDouble(
                    "compression",
                    0.5,
                    0.01,
                    1.0,
                    "Compression theta: the fraction of channels a transition layer keeps (rounded down)."),
            ParamSpec.ofChoice(
                    "stem",
                    "cifar",
                    List.of("cifar", "imagenet"),
                    "cifar: one 3x3 convolution and three dense blocks (stride 4); imagenet: 7x7/2 convolution, "
                            + "3x3/2 max-pool and four dense blocks (stride 32)."));

    /** For {@link java.util.ServiceLoader}. */
    public DenseNetBcFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "DenseNet-BC (Huang et al. 2017): bottleneck dense blocks with growth rate k and compressing "
                + "transitions; CIFAR (stride 4) or ImageNet (stride 32) stem.";
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
        return new DenseNetBc(
                params.getInt("depth"),
                params.getInt("growth_rate"),
                params.getDouble("compression"),
                params.getString("stem").equals("imagenet"));
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
