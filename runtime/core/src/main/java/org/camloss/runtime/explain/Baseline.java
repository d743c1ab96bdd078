package org.camloss.runtime.explain;

import org.camloss.api.Choice;

/** What replaces a pixel in the deletion and insertion games (Petsiuk et al. 2018). */
public enum Baseline implements Choice {
    /** 0 in the model's normalised input: every channel at the dataset's mean (RISE's deletion substrate). */
    CONSTANT("constant"),
    /**
     * The image blurred by RISE's kernel: an 11×11 Gaussian of σ = 5 (scipy's {@code gaussian_filter} of a delta,
     * reflecting edges), applied per channel with zero padding, on the normalised image (RISE's insertion substrate).
     */
    BLUR("blur");

    private final String id;

    Baseline(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }
}
