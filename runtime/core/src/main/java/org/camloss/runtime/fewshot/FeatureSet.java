package org.camloss.runtime.fewshot;

/**
 * Pooled features of labelled examples: row {@code i} is example {@code examples[i]} of its split, of class
 * {@code classes[i]} (an index into the chosen classes, not the dataset's label).
 *
 * @param rows     one feature vector per example, all of one length
 * @param classes  the chosen-class index of each row
 * @param examples the split index of each row
 */
public record FeatureSet(float[][] rows, int[] classes, int[] examples) {
    public FeatureSet {
        if (rows.length != classes.length || rows.length != examples.length) {
            throw new IllegalArgumentException(
                    rows.length + " rows, " + classes.length + " classes, " + examples.length + " examples");
        }
    }

    /** The number of rows. */
    public int size() {
        return rows.length;
    }

    /** The length of each feature vector (0 when empty). */
    public int dim() {
        return rows.length == 0 ? 0 : rows[0].length;
    }
}
