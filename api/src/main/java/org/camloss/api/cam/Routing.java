package org.camloss.api.cam;

import org.camloss.api.Choice;

/** Where the gradient of the CAM term flows (option {@code routing} of {@code cam-loss}). */
public enum Routing implements Choice {
    /** The default: the classifier weights get gradient from cross-entropy only; features through both maps. */
    WEIGHT_DETACHED("weight-detached"),
    /** The CAM term also reaches the classifier weights. */
    FULL("full"),
    /** The CAM is a constant target; gradient flows through the CAAM only. */
    DETACHED_CAM("detached-cam");

    private final String id;

    Routing(String id) {
        this.id = id;
    }

    /** Config name. */
    @Override
    public String id() {
        return id;
    }
}
