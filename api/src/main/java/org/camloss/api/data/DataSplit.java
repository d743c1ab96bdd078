package org.camloss.api.data;

/**
 * A random-access split of a dataset (train or test). Images are delivered already normalised, in
 * height × width × channel order.
 */
public interface DataSplit {
    /** Number of examples. */
    int size();

    /** The label of example {@code index}. */
    int label(int index);

    /**
     * Writes example {@code index} as H·W·C floats (row-major, channels last) into {@code out} starting
     * at {@code offset}.
     */
    void image(int index, float[] out, int offset);

    /** Whether this split carries a target-object mask per example (for localization metrics). */
    default boolean hasMasks() {
        return false;
    }

    /**
     * Writes the H·W target mask of example {@code index} into {@code out} at {@code offset}. Only called
     * when {@link #hasMasks()} is true.
     */
    default void mask(int index, boolean[] out, int offset) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no masks");
    }
}
