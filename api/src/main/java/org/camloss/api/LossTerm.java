package org.camloss.api;

import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * One named term of the training objective: a scalar that is the <em>mean</em> over the batch, and the
 * weight it enters the total with. The runtime reports every term by name (e.g. {@code ce},
 * {@code cam}) and minimises Σ weight · value.
 *
 * @param name   short snake_case name, unique within an objective
 * @param value  scalar variable, batch mean
 * @param weight weight per epoch
 * @param kernel optional hand-written forward and backward of {@code value} (null: SameDiff differentiates it)
 */
public record LossTerm(String name, SDVariable value, EpochWeight weight, TermKernel kernel) {
    public LossTerm {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(weight, "weight");
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("loss term name must be snake_case, found '" + name + "'");
        }
    }

    /** A term without a kernel. */
    public LossTerm(String name, SDVariable value, EpochWeight weight) {
        this(name, value, weight, null);
    }

    /** This term with a {@link TermKernel} that computes {@code value} and its gradients by hand. */
    public LossTerm withKernel(TermKernel kernel) {
        return new LossTerm(name, value, weight, Objects.requireNonNull(kernel, "kernel"));
    }

    /** A term with a constant weight. */
    public static LossTerm of(String name, SDVariable value, double weight) {
        return new LossTerm(name, value, EpochWeight.constant(weight));
    }
}
