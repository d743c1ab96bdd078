package org.camloss.runtime.fewshot;

/**
 * Progress of a few-shot evaluation (the facade prints nothing itself). Every method does nothing by default.
 */
public interface FewShotListener {
    /** A listener that ignores everything. */
    FewShotListener NONE = new FewShotListener() {};

    /** Feature extraction of {@code images} images starts. */
    default void onExtractionStart(int images) {}

    /** The features of {@code done} of the {@code images} images are extracted. */
    default void onExtracted(int done, int images) {}

    /** Feature extraction has finished after {@code seconds}. */
    default void onExtractionEnd(int images, double seconds) {}

    /** The episodes of one (classifier, ways, shots) setting are evaluated. */
    default void onSettingEnd(FewShotResult.Setting setting) {}
}
