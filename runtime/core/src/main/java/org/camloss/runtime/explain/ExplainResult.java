package org.camloss.runtime.explain;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camloss.runtime.eval.Localization;

/**
 * What {@link Explain} computed.
 *
 * @param out       the directory written, or null when nothing was written
 * @param methods   the method ids, in order
 * @param layer     the target layer
 * @param mapHeight h, the maps' rows
 * @param mapWidth  w, the maps' columns
 * @param classes   the model's class names
 * @param images    one entry per image, in input order
 * @param summary   per method: mean metrics over the images
 * @param json      everything {@code explain.json} holds
 */
public record ExplainResult(
        Path out,
        List<String> methods,
        String layer,
        int mapHeight,
        int mapWidth,
        List<String> classes,
        List<Image> images,
        Map<String, Summary> summary,
        Map<String, Object> json) {

    /**
     * One image.
     *
     * @param name              its name (file path, or {@code split/index})
     * @param label             its true class, or -1
     * @param target            the class its maps are for
     * @param predicted         the model's top class
     * @param confidence        the softmax probability of {@code predicted}
     * @param targetProbability the softmax probability of {@code target}
     * @param display           the image as RGB in [0, 1] (H·W·3), when kept
     * @param maps              per method the raw map (h·w), when kept
     * @param faithfulness      per method, when computed
     * @param localization      per method, when the image has a mask
     */
    public record Image(
            String name,
            int label,
            int target,
            int predicted,
            double confidence,
            double targetProbability,
            float[] display,
            Map<String, float[]> maps,
            Map<String, Faithfulness.Scores> faithfulness,
            Map<String, Localization.Score> localization) {}

    /**
     * Means over the images of one method; NaN where not computed.
     *
     * @param deletionAuc          mean deletion AUC (lower is better)
     * @param insertionAuc         mean insertion AUC (higher is better)
     * @param averageDrop          average drop in confidence, percent (lower is better)
     * @param increaseInConfidence share of images whose confidence rose, percent (higher is better)
     * @param pointing             pointing game hit rate
     * @param energy               mean share of the normalised map inside the mask
     * @param iou                  mean IoU of the map thresholded at 0.5 with the mask
     * @param deletionCurve        the mean deletion curve
     * @param insertionCurve       the mean insertion curve
     */
    public record Summary(
            double deletionAuc,
            double insertionAuc,
            double averageDrop,
            double increaseInConfidence,
            double pointing,
            double energy,
            double iou,
            double[] deletionCurve,
            double[] insertionCurve) {
        /** Whether faithfulness was computed. */
        public boolean hasFaithfulness() {
            return !Double.isNaN(deletionAuc);
        }

        /** Whether localisation was computed. */
        public boolean hasLocalization() {
            return !Double.isNaN(pointing);
        }
    }

    /** The summary of {@code method}. */
    public Optional<Summary> summary(String method) {
        return Optional.ofNullable(summary.get(method));
    }
}
