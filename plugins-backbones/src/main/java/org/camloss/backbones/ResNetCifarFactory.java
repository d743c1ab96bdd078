package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/**
 * Makes {@code resnet-cifar} backbones: the CIFAR-style ResNet of depth 6n+2 from He et al. (2016).
 *
 * <p>Parameters: {@code depth} (6n+2, default 20), {@code width} (multiplier of the stage widths
 * 16/32/64, default 1.0), {@code shortcut} ({@code B}, the default: a 1×1 convolution + batch norm wherever
 * the shape changes; {@code A}: parameter-free subsampling and zero-padding of the channels; identity
 * elsewhere either way) and {@code preact} (pre-activation blocks of He et al. 2016b, default false).
 */
public final class ResNetCifarFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "resnet-cifar";
    /** Name of the depth parameter. */
    public static final String DEPTH = "depth";
    /** Name of the width-multiplier parameter. */
    public static final String WIDTH = "width";
    /** Name of the shortcut parameter. */
    public static final String SHORTCUT = "shortcut";
    /** Name of the pre-activation parameter. */
    public static final String PREACT = "preact";

    static final int MIN_DEPTH = 8;
    static final int MAX_DEPTH = 200;
    static final double MIN_WIDTH = 0.0625;
    static final double MAX_WIDTH = 16.0;

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofInt(
                    DEPTH,
                    20,
                    MIN_DEPTH,
                    MAX_DEPTH,
                    "Number of weighted layers, 6n+2 (8, 14, 20, 32, 44, 56, 110), n basic blocks per stage."),
            ParamSpec.ofDouble(
                    WIDTH,
                    1.0,
                    MIN_WIDTH,
                    MAX_WIDTH,
                    "Multiplier of the stage widths 16/32/64 (rounded, at least 1 channel)."),
            ParamSpec.ofChoice(
                    SHORTCUT,
                    "B",
                    List.of("A", "B"),
                    "Shortcut where the shape changes: B projects with a 1x1 convolution and batch norm; A subsamples "
                            + "and zero-pads the channels (parameter-free, as in the paper's CIFAR nets)."),
            ParamSpec.ofBoolean(
                    PREACT,
                    false,
                    "Pre-activation blocks (He et al. 2016b): BN-ReLU-conv ordering and a final BN-ReLU."));

    /** For {@link java.util.ServiceLoader}. */
    public ResNetCifarFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "CIFAR-style ResNet (He et al. 2016) of depth 6n+2: three stages of basic blocks at widths "
                + "16/32/64, total stride 4.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code depth} is not 6n+2 in [8, 200], {@code width} is out of
     *     range or {@code shortcut} is not {@code A} or {@code B}
     */
    @Override
    public Backbone create(Params params) {
        int depth = params.getInt(DEPTH);
        if (depth < MIN_DEPTH || depth > MAX_DEPTH) {
            throw new IllegalArgumentException(
                    "depth must be in [" + MIN_DEPTH + ", " + MAX_DEPTH + "], found " + depth);
        }
        if ((depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("depth must be 6n+2 (8, 14, 20, 32, 44, 56, 110), found " + depth);
        }
        double width = params.getDouble(WIDTH);
        if (!(width >= MIN_WIDTH && width <= MAX_WIDTH)) {
            throw new IllegalArgumentException(
                    "width must be in [" + MIN_WIDTH + ", " + MAX_WIDTH + "], found " + width);
        }
        String shortcut = params.getString(SHORTCUT);
        if (!shortcut.equals("A") && !shortcut.equals("B")) {
            throw new IllegalArgumentException("shortcut must be one of [A, B], found '" + shortcut + "'");
        }
        boolean preact = params.asMap().containsKey(PREACT) && params.getBoolean(PREACT);
        return new ResNetCifar((depth - 2) / 6, width, shortcut.charAt(0), preact);
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
