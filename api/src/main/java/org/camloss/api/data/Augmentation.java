package org.camloss.api.data;

/**
 * Training-time augmentation a dataset asks for; the runtime applies it to training batches only,
 * deterministically from the run's seed.
 *
 * @param cropPadding    random crop after padding each side with this many pixels of the mean colour (0 = off)
 * @param horizontalFlip mirror left-right with probability ½
 */
public record Augmentation(int cropPadding, boolean horizontalFlip) {
    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(0, false);

    public Augmentation {
        if (cropPadding < 0) {
            throw new IllegalArgumentException("crop padding must be >= 0, found " + cropPadding);
        }
    }

    /** Whether nothing is done. */
    public boolean isNone() {
        return cropPadding == 0 && !horizontalFlip;
    }
}
