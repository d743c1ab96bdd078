package org.camloss.losses;

import java.util.List;
import org.camloss.api.Loss;
import org.camloss.api.LossFactory;
import org.camloss.api.Params;
import org.camloss.api.loss.CrossEntropy;

/** {@code cross-entropy}: mean −Σ_k q_k log softmax(z)_k over the batch, for one-hot or soft targets. */
public final class CrossEntropyLossFactory implements LossFactory {
    /** The id. */
    public static final String ID = "cross-entropy";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Softmax cross-entropy of the logits against one-hot or soft targets (the baseline).";
    }

    @Override
    public Loss create(Params params) {
        return ctx -> List.of(CrossEntropy.term(ctx));
    }
}
