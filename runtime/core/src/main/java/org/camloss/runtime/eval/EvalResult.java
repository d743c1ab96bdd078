package org.camloss.runtime.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of an evaluation.
 *
 * @param count        examples evaluated
 * @param accuracy     top-1 accuracy
 * @param top5         top-5 accuracy (1.0 when there are at most 5 classes)
 * @param crossEntropy mean cross-entropy
 * @param camLoss      mean |Φ(CAAM) − Φ(target CAM)| (min-max Φ), the CAM-loss term
 * @param classes      class names
 * @param perClass     accuracy per class
 * @param confusion    confusion[true][predicted]
 * @param localization localization metrics, or null when the data has no masks
 */
public record EvalResult(
        long count,
        double accuracy,
        double top5,
        double crossEntropy,
        double camLoss,
        List<String> classes,
        double[] perClass,
        long[][] confusion,
        LocalizationSummary localization) {

    /** The localization metrics, when the data has masks. */
    public Optional<LocalizationSummary> localizationSummary() {
        return Optional.ofNullable(localization);
    }

    /** Scalar metrics with {@code prefix}, for {@code metrics.jsonl}. */
    public Map<String, Object> metrics(String prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(prefix + "accuracy", accuracy);
        m.put(prefix + "top5_accuracy", top5);
        m.put(prefix + "ce", crossEntropy);
        m.put(prefix + "cam_loss", camLoss);
        if (localization != null) {
            localization.toMap().forEach((k, v) -> {
                if (!k.equals("count")) {
                    m.put(prefix + k, v);
                }
            });
        }
        return m;
    }

    /** Everything, for {@code eval.json}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.putAll(metrics(""));
        Map<String, Object> pc = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            pc.put(classes.get(i), perClass[i]);
        }
        m.put("per_class_accuracy", pc);
        m.put("classes", classes);
        m.put("confusion", confusion);
        return m;
    }
}
