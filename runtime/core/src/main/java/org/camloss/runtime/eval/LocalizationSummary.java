package org.camloss.runtime.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mean localization scores over a set of images, for the CAAM and for the target CAM.
 *
 * @param count number of images scored
 * @param caam  means for the class-agnostic activation map
 * @param cam   means for the target-class activation map
 */
public record LocalizationSummary(long count, Metrics caam, Metrics cam) {

    /**
     * Mean scores of one kind of map; NaN when no image was scored.
     *
     * @param pointing share of images whose map maximum lies inside the mask
     * @param energy   mean share of the normalised map inside the mask
     * @param iou      mean IoU of the thresholded map with the mask
     */
    public record Metrics(double pointing, double energy, double iou) {}

    /**
     * Flat snake_case keys for reports: {@code count}, {@code caam_pointing}, {@code caam_energy},
     * {@code caam_iou}, {@code cam_pointing}, {@code cam_energy}, {@code cam_iou}.
     */
    public Map<String, Number> toMap() {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("caam_pointing", caam.pointing());
        m.put("caam_energy", caam.energy());
        m.put("caam_iou", caam.iou());
        m.put("cam_pointing", cam.pointing());
        m.put("cam_energy", cam.energy());
        m.put("cam_iou", cam.iou());
        return m;
    }
}
