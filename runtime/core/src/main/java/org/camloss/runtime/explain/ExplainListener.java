package org.camloss.runtime.explain;

/** Progress of {@link Explain}: the images done so far of all, per stage. */
public interface ExplainListener {
    /** A listener that ignores everything. */
    ExplainListener NONE = (stage, done, total) -> {};

    /**
     * Called after each batch.
     *
     * @param stage what is being done, e.g. {@code "explain"}
     * @param done  images finished
     * @param total images in all
     */
    void progress(String stage, long done, long total);
}
