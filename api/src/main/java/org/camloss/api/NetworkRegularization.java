package org.camloss.api;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What regularizers ask of the network itself rather than of the batch: dropout of the feature map before the head,
 * dropout inside residual blocks, and a stochastic treatment of residual branches ({@link ResidualDrop}: stochastic
 * depth or ShakeDrop).
 *
 * <p>How it reaches inside a backbone: a regularizer states its request in {@link Regularizer#network()}; the runtime
 * merges the requests of all configured regularizers into one value (two regularizers asking for the same part are
 * refused), checks before anything is built that the backbone applies every part it asks for
 * ({@link Backbone#regularizations()}; otherwise the config is refused, naming the regularizer and the backbone), and
 * hands the value to {@link Backbone#build} in {@link BackboneContext#regularization()}. Residual families end each
 * block with {@code Layers.residual}, which reads {@link #residual()}; families that define dropout inside their
 * blocks read {@link #blockDropout()}. The feature-map dropout needs no backbone: the runtime puts it between the
 * backbone's feature map and the head, for every backbone.
 *
 * <p>Randomness: the layers that apply these draw their masks from a generator seeded by the model's seed (the run's
 * seed), the layer's name and the training iteration, so a run is reproducible from its seed, and the masks of one
 * step do not depend on how many forward passes ran before it. At inference every part is deterministic and equals its
 * training expectation (see {@link ResidualDrop}; the dropouts are inverted, so inference is the identity).
 *
 * @param featureDropout probability in [0, 1) of dropping each channel of each sample's feature map [N, H, W, C] (the
 *                       kept channels scaled by 1 / (1 − p)) just before the head, in training only. The head averages
 *                       each channel over the map, so this is exactly dropout of the pooled features before the linear
 *                       layer (as in the usual "dropout before the classifier"), and the CAMs of that step are the CAMs
 *                       of the dropped features, consistent with the logits. 0: none
 * @param blockDropout   probability in [0, 1) of dropping a unit inside residual blocks, where the family defines it
 *                       (wide-resnet: between the two convolutions of a block); 0: none
 * @param residual       the treatment of residual branches; {@link ResidualDrop#NONE} leaves them alone
 */
public record NetworkRegularization(double featureDropout, double blockDropout, ResidualDrop residual) {
    /** Nothing asked. */
    public static final NetworkRegularization NONE = new NetworkRegularization(0, 0, ResidualDrop.NONE);

    /**
     * @throws IllegalArgumentException when a dropout probability is outside [0, 1)
     */
    public NetworkRegularization {
        Objects.requireNonNull(residual, "residual");
        if (!(featureDropout >= 0 && featureDropout < 1)) {
            throw new IllegalArgumentException("feature dropout must be in [0, 1), found " + featureDropout);
        }
        if (!(blockDropout >= 0 && blockDropout < 1)) {
            throw new IllegalArgumentException("block dropout must be in [0, 1), found " + blockDropout);
        }
    }

    /** Dropout of the feature map before the head, probability {@code p}. */
    public static NetworkRegularization featureDropout(double p) {
        return new NetworkRegularization(p, 0, ResidualDrop.NONE);
    }

    /** The given treatment of residual branches. */
    public static NetworkRegularization residual(ResidualDrop residual) {
        return new NetworkRegularization(0, 0, residual);
    }

    /** This request with dropout inside blocks, probability {@code p}. */
    public NetworkRegularization withBlockDropout(double p) {
        return new NetworkRegularization(featureDropout, p, residual);
    }

    /** Whether nothing is asked. */
    public boolean isNone() {
        return featureDropout == 0 && blockDropout == 0 && residual.isNone();
    }

    /**
     * The parts a backbone must apply itself (the feature-map dropout is the runtime's): what {@link
     * Backbone#regularizations()} is compared with.
     */
    public Set<Kind> backboneKinds() {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        if (blockDropout > 0) {
            kinds.add(Kind.BLOCK_DROPOUT);
        }
        switch (residual.mode()) {
            case STOCHASTIC_DEPTH -> kinds.add(Kind.STOCHASTIC_DEPTH);
            case SHAKEDROP -> kinds.add(Kind.SHAKEDROP);
            case NONE -> {}
        }
        return kinds;
    }

    /**
     * Both requests together.
     *
     * @throws IllegalArgumentException when both ask for the same part (two feature dropouts, two block dropouts, or
     *     two treatments of the residual branches), naming the part
     */
    public NetworkRegularization merge(NetworkRegularization other) {
        if (featureDropout > 0 && other.featureDropout > 0) {
            throw new IllegalArgumentException("both set the dropout before the head");
        }
        if (blockDropout > 0 && other.blockDropout > 0) {
            throw new IllegalArgumentException("both set the dropout inside residual blocks");
        }
        if (!residual.isNone() && !other.residual.isNone()) {
            throw new IllegalArgumentException("both act on the residual branches ("
                    + residual.mode().id() + " and " + other.residual.mode().id() + ")");
        }
        return new NetworkRegularization(
                featureDropout + other.featureDropout,
                blockDropout + other.blockDropout,
                residual.isNone() ? other.residual : residual);
    }

    /** The parts a backbone applies itself. */
    public enum Kind implements Choice {
        /** Dropout inside residual blocks ({@link #blockDropout()}). */
        BLOCK_DROPOUT("block dropout", "drops units inside residual blocks"),
        /** Stochastic depth of residual branches. */
        STOCHASTIC_DEPTH("stochastic depth", "drops residual branches"),
        /** ShakeDrop of residual branches. */
        SHAKEDROP("ShakeDrop", "perturbs residual branches");

        private final String label;
        private final String action;

        Kind(String label, String action) {
            this.label = label;
            this.action = action;
        }

        /** Kebab-case name, e.g. {@code stochastic-depth}. */
        @Override
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /** The name in prose, e.g. {@code stochastic depth}. */
        public String label() {
            return label;
        }

        /** What it does, for messages, e.g. {@code drops residual branches}. */
        public String action() {
            return action;
        }
    }
}
