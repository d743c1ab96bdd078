package org.camloss.runtime.fewshot;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a few-shot evaluation, as written to its results file.
 *
 * @param file              the results file written
 * @param runDir            the run evaluated
 * @param modelSha256       SHA-256 (hex) of the run's {@code model.zip}
 * @param dataset           the dataset's name
 * @param split             {@code test} or {@code train}
 * @param classes           the classes episodes were drawn from
 * @param featureDim        C, the length of a pooled feature vector
 * @param extractionSeconds wall time of the feature extraction
 * @param episodeSeconds    wall time of sampling and classifying every episode of every setting
 * @param settings          one per (classifier, ways, shots), in the order evaluated
 * @param json              the results file's content
 */
public record FewShotResult(
        Path file,
        Path runDir,
        String modelSha256,
        String dataset,
        String split,
        List<ClassInfo> classes,
        int featureDim,
        double extractionSeconds,
        double episodeSeconds,
        List<Setting> settings,
        Map<String, Object> json) {
    public FewShotResult {
        classes = List.copyOf(classes);
        settings = List.copyOf(settings);
        json = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(json));
    }

    /** The total number of images whose features were extracted. */
    public int images() {
        return classes.stream().mapToInt(ClassInfo::images).sum();
    }

    /**
     * One class episodes were drawn from.
     *
     * @param label  its label in the dataset
     * @param name   its name
     * @param images its images in the split
     */
    public record ClassInfo(int label, String name, int images) {
        /** The entry of {@code fewshot.json}'s {@code classes}. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("label", label);
            m.put("name", name);
            m.put("images", images);
            return m;
        }
    }

    /**
     * The result of one classifier at one (ways, shots).
     *
     * @param classifier the classifier's id
     * @param ways       N
     * @param shots      K
     * @param queries    queries per class and episode
     * @param accuracy   mean accuracy over the episodes with its 95 % confidence interval
     * @param seconds    time spent in this classifier (fitting and predicting), over all episodes
     */
    public record Setting(
            String classifier, int ways, int shots, int queries, AccuracySummary accuracy, double seconds) {
        /** The row of {@code fewshot.json}'s {@code results}. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("classifier", classifier);
            m.put("ways", ways);
            m.put("shots", shots);
            m.put("queries", queries);
            m.put("episodes", accuracy.episodes());
            m.put("mean_accuracy", accuracy.mean());
            m.put("ci95", accuracy.ci95());
            m.put("std", accuracy.std());
            m.put("seconds", seconds);
            return m;
        }
    }
}
