package org.camloss.api;

import java.util.List;

/**
 * A training loss on the model outputs. Exactly one loss is configured per experiment; it defines
 * one or more named terms with SameDiff, so gradients come from autodiff.
 *
 * <p>Example: cross-entropy defines one term {@code ce}; CAM-loss defines {@code ce} and {@code cam}
 * (weight α).
 */
public interface Loss {
    /** Adds this loss's terms to the head graph. Each term is a batch mean. */
    List<LossTerm> define(LossContext context);
}
