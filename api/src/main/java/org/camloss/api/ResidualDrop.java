package org.camloss.api;

/**
 * What happens to the residual branches of a network in training: nothing, stochastic depth (Huang et al. 2016,
 * "Deep Networks with Stochastic Depth") or ShakeDrop (Yamada et al. 2019, "ShakeDrop Regularization for Deep
 * Residual Learning"). Part of a {@link NetworkRegularization}; residual backbones read it through
 * {@code Layers.residual}.
 *
 * <p>Residual block l of L (l = 1 for the block nearest the input, L for the last) keeps its branch with the
 * probability {@link #survival(int, int) p_l = 1 − (l / L)·(1 − p_L)} (the linear decay rule of both papers, p_L =
 * {@code pLast}). A block computes {@code shortcut + s · branch} (then its ReLU, if it has one after the sum), with
 * one draw per sample and step:
 * <ul>
 *   <li>stochastic depth: in training s = b, b ~ Bernoulli(p_l), in the forward and the backward pass; at
 *       inference s = p_l, the expectation ("scaled at test time", as the paper does).</li>
 *   <li>ShakeDrop: in training s = b + α − b·α forward and b + β − b·β backward, with b ~ Bernoulli(p_l),
 *       α ~ U[alphaMin, alphaMax], β ~ U[betaMin, betaMax]; at inference s = E[b + α − b·α] = p_l + (1 − p_l)·E[α].
 *       The gradient deliberately differs from the forward pass's derivative (when α ≠ β).</li>
 * </ul>
 * Draws are per sample (the ShakeDrop authors' code draws b once per batch and α, β per image; here b is per image as
 * well, as for stochastic depth).
 *
 * @param mode     which treatment
 * @param pLast    p_L, the survival probability of the last block, in (0, 1]
 * @param alphaMin lower end of α's range (ShakeDrop; 0 otherwise)
 * @param alphaMax upper end of α's range
 * @param betaMin  lower end of β's range
 * @param betaMax  upper end of β's range
 */
public record ResidualDrop(Mode mode, double pLast, double alphaMin, double alphaMax, double betaMin, double betaMax) {
    /** Residual branches left alone. */
    public static final ResidualDrop NONE = new ResidualDrop(Mode.NONE, 1, 0, 0, 0, 0);

    /**
     * @throws IllegalArgumentException when p_L is outside (0, 1] or a range is empty or not finite
     */
    public ResidualDrop {
        java.util.Objects.requireNonNull(mode, "mode");
        if (!(pLast > 0 && pLast <= 1)) {
            throw new IllegalArgumentException("p_last must be in (0, 1], found " + pLast);
        }
        if (!(alphaMin <= alphaMax) || !Double.isFinite(alphaMin) || !Double.isFinite(alphaMax)) {
            throw new IllegalArgumentException(
                    "the alpha range needs finite alpha_min <= alpha_max, found " + alphaMin + " and " + alphaMax);
        }
        if (!(betaMin <= betaMax) || !Double.isFinite(betaMin) || !Double.isFinite(betaMax)) {
            throw new IllegalArgumentException(
                    "the beta range needs finite beta_min <= beta_max, found " + betaMin + " and " + betaMax);
        }
    }

    /** Stochastic depth with survival probability {@code pLast} at the last block. */
    public static ResidualDrop stochasticDepth(double pLast) {
        return new ResidualDrop(Mode.STOCHASTIC_DEPTH, pLast, 0, 0, 0, 0);
    }

    /** ShakeDrop with keep probability {@code pLast} at the last block, α in [alphaMin, alphaMax], β in [betaMin, betaMax]. */
    public static ResidualDrop shakeDrop(
            double pLast, double alphaMin, double alphaMax, double betaMin, double betaMax) {
        return new ResidualDrop(Mode.SHAKEDROP, pLast, alphaMin, alphaMax, betaMin, betaMax);
    }

    /** Whether branches are left alone. */
    public boolean isNone() {
        return mode == Mode.NONE;
    }

    /**
     * p_l = 1 − (l / L)·(1 − p_L).
     *
     * @param block  l, 1-based, counted from the input
     * @param blocks L, the number of residual blocks of the network
     * @throws IllegalArgumentException when l is not in [1, L]
     */
    public double survival(int block, int blocks) {
        if (blocks < 1 || block < 1 || block > blocks) {
            throw new IllegalArgumentException("block must be in [1, " + blocks + "], found " + block);
        }
        return mode == Mode.NONE ? 1.0 : 1.0 - (double) block / blocks * (1.0 - pLast);
    }

    /**
     * The factor of a branch at inference, the training factor's expectation: p for stochastic depth, p + (1 − p)·E[α]
     * for ShakeDrop, 1 for none.
     *
     * @param survival p_l of the block
     */
    public double inferenceScale(double survival) {
        return switch (mode) {
            case NONE -> 1.0;
            case STOCHASTIC_DEPTH -> survival;
            case SHAKEDROP -> survival + (1 - survival) * (alphaMin + alphaMax) / 2;
        };
    }

    /** The treatments, named as in configs and model files. */
    public enum Mode implements Choice {
        /** Nothing. */
        NONE("none"),
        /** Stochastic depth. */
        STOCHASTIC_DEPTH("stochastic-depth"),
        /** ShakeDrop. */
        SHAKEDROP("shakedrop");

        private final String id;

        Mode(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }
}
