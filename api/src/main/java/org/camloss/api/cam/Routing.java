package org.camloss.api.cam;

import java.util.Arrays;
import java.util.List;

/** Where the gradient of the CAM term flows (option {@code routing} of {@code cam-loss}). */
public enum Routing {
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
    public String id() {
        return id;
    }

    /** All config names. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Routing::id).toList();
    }

    /** The routing named {@code id}. */
    public static Routing of(String id) {
        for (Routing r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown routing '" + id + "'; valid: " + ids());
    }
}
