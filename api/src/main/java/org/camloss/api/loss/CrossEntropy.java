package org.camloss.api.loss;

import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Softmax cross-entropy of the head's logits, −mean_n Σ_k q_nk log softmax(z_n)_k, for one-hot or soft targets
 * q [N, K] and logits z [N, K]. The term every built-in loss starts from; a plugin adds it to its own terms with
 * {@link #term(LossContext)}.
 */
public final class CrossEntropy {
    /** The name of the term {@link #term} returns. */
    public static final String TERM = "ce";

    private CrossEntropy() {}

    /**
     * The term {@code ce}: {@link #value} with weight 1, which the head computes in training with the
     * hand-written {@link CrossEntropyKernel} (the SameDiff definition stays the reference).
     */
    public static LossTerm term(LossContext ctx) {
        return LossTerm.of(TERM, value(ctx), 1.0).withKernel(CrossEntropyKernel.INSTANCE);
    }

    /**
     * Mean cross-entropy of the context's logits against its targets, with the stable
     * {@link LossMath#logSoftmax}.
     *
     * @return a scalar, the batch mean
     */
    public static SDVariable value(LossContext ctx) {
        SDVariable logp = LossMath.logSoftmax(ctx.outputs().logits());
        return ctx.targets().mul(logp).sum(1).mean().neg();
    }
}
