package org.camloss.runtime.config;

import java.util.List;

/**
 * Which examples of a dataset a run uses, on top of what its plugin makes: the {@code classes} and
 * {@code train_per_class} keys of the {@code data} section. Works for every dataset plugin.
 *
 * @param classes       the labels (indices or names) of the classes to use, relabelled 0..K-1 in this order; empty
 *                      for every class
 * @param trainPerClass the number of training images kept per class (a labelled-data budget, drawn with the run's
 *                      seed; the test split is kept whole); 0 keeps every image
 */
public record DataSelection(List<String> classes, int trainPerClass) {
    public DataSelection {
        classes = List.copyOf(classes);
        if (trainPerClass < 0) {
            throw new IllegalArgumentException("trainPerClass must be >= 0, found " + trainPerClass);
        }
    }

    /** Every class, every image. */
    public static DataSelection all() {
        return new DataSelection(List.of(), 0);
    }

    /** Whether this selects every example. */
    public boolean isAll() {
        return classes.isEmpty() && trainPerClass == 0;
    }
}
