package org.camloss.api;

/**
 * What a {@link Regularizer}'s {@link Regularizer#apply} does to a batch's targets, declared so that the runtime can
 * refuse, before anything is built, an order of regularizers that would leave per-pixel targets stale.
 *
 * <p>The rule: a regularizer that {@link #REGIONAL sets per-pixel targets} must be the last one in the config's list
 * that touches the targets ({@link #CHANGES} or {@link #REGIONAL}). Regularizers before it may change the targets
 * freely: it builds its per-pixel targets from the targets it receives.
 */
public enum TargetEffect implements Choice {
    /** Leaves the targets as they are (cutout, random erasing, network-level regularizers, pure penalties). */
    KEEPS("keeps"),
    /** Changes each sample's target distribution (label smoothing, mixup, cutmix with mixed targets). */
    CHANGES("changes"),
    /**
     * Changes the targets and sets {@link org.camloss.api.data.Batch#regional() per-pixel targets} (cutmix with
     * {@code cam_target: regional}).
     */
    REGIONAL("regional");

    private final String id;

    TargetEffect(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /** Whether the targets may change. */
    public boolean touchesTargets() {
        return this != KEEPS;
    }
}
