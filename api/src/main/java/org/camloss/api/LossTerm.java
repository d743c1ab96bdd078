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
 */
public record LossTerm(String name, SDVariable value, EpochWeight weight) {
    public LossTerm {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(weight, "weight");
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("loss term name must be snake_case, found '" + name + "'");
        }
    }

    /** A term with a constant weight. */
    public static LossTerm of(String name, SDVariable value, double weight) {
        return new LossTerm(name, value, EpochWeight.constant(weight));
    }
}
