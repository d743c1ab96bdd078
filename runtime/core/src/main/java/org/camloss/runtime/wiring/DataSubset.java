package org.camloss.runtime.wiring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.camloss.api.data.Augmentation;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.camloss.api.data.DatasetInfo;

/**
 * The examples of a dataset a run uses ({@code data.classes}, {@code data.train_per_class}): some classes, relabelled
 * 0..K-1 in the order given, with the images of the other classes left out of every split; and at most N training
 * images per class, drawn without replacement by a seeded shuffle (the same seed draws the same images, whatever the
 * loss). The test and validation splits keep every image of the chosen classes. Works for every dataset plugin, as the
 * runtime applies it to whatever the plugin made. Its fingerprint is the SHA-256 of the whole dataset's fingerprint
 * and the selection.
 */
final class DataSubset implements Dataset {
    private final Dataset base;
    private final int[] classes;
    private final int trainPerClass;
    private final long seed;
    private final DatasetInfo info;

    /**
     * @param classes       the original label of each new class, in the new order
     * @param trainPerClass training images kept per class, 0 for all
     * @param seed          the seed of the draw when {@code trainPerClass > 0}
     */
    DataSubset(Dataset base, int[] classes, int trainPerClass, long seed) {
        this.base = base;
        this.classes = classes.clone();
        this.trainPerClass = trainPerClass;
        this.seed = seed;
        List<String> names = new ArrayList<>();
        StringBuilder labels = new StringBuilder();
        for (int c : classes) {
            names.add(base.info().classes().get(c));
            labels.append(labels.length() == 0 ? "" : ",").append(c);
        }
        String what = "classes " + labels
                + (trainPerClass > 0 ? ", " + trainPerClass + " train images per class (seed " + seed + ")" : "");
        this.info = new DatasetInfo(
                base.info().name() + "[" + what + "]",
                names,
                base.info().shape(),
                sha256(base.info().fingerprint() + "|" + what));
    }

    /** Every class of {@code base} in its order. */
    static int[] allClasses(Dataset base) {
        int[] out = new int[base.info().numClasses()];
        for (int i = 0; i < out.length; i++) {
            out[i] = i;
        }
        return out;
    }

    /**
     * The original labels named by {@code labels} (indices or class names) of {@code base}.
     *
     * @throws IllegalArgumentException naming a label that is no class of the dataset, and the valid ones
     */
    static int[] resolve(Dataset base, List<String> labels) {
        List<String> names = base.info().classes();
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) {
            String l = labels.get(i);
            int index = names.indexOf(l);
            if (index < 0 && l.matches("\\d+")) {
                index = Integer.parseInt(l);
            }
            if (index < 0 || index >= names.size()) {
                throw new IllegalArgumentException("'" + l + "' is not a class of "
                        + base.info().name() + "; valid: indices 0.." + (names.size() - 1) + " or names " + names);
            }
            for (int j = 0; j < i; j++) {
                if (out[j] == index) {
                    throw new IllegalArgumentException(
                            "'" + l + "' names class " + index + " (" + names.get(index) + ") a second time");
                }
            }
            out[i] = index;
        }
        return out;
    }

    @Override
    public DatasetInfo info() {
        return info;
    }

    @Override
    public DataSplit train() {
        return new Split(base.train(), trainPerClass);
    }

    @Override
    public DataSplit test() {
        return new Split(base.test(), 0);
    }

    @Override
    public Optional<DataSplit> validation() {
        return base.validation().map(v -> new Split(v, 0));
    }

    @Override
    public Optional<org.camloss.api.data.PixelNormalization> normalization() {
        return base.normalization();
    }

    @Override
    public Augmentation augmentation() {
        return base.augmentation();
    }

    /** The examples of the chosen classes, in their original order; at most {@code perClass} of each. */
    private final class Split implements DataSplit {
        private final DataSplit split;
        private final int[] index;
        private final int[] label;

        Split(DataSplit split, int perClass) {
            this.split = split;
            int[] newLabel = new int[base.info().numClasses()];
            java.util.Arrays.fill(newLabel, -1);
            for (int k = 0; k < classes.length; k++) {
                newLabel[classes[k]] = k;
            }
            boolean[] keep = new boolean[split.size()];
            if (perClass == 0) {
                for (int i = 0; i < keep.length; i++) {
                    keep[i] = newLabel[split.label(i)] >= 0;
                }
            } else {
                // a Fisher-Yates shuffle of all indices, then the first perClass of each chosen class
                int[] order = new int[split.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                SplittableRandom rng = new SplittableRandom(seed);
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                int[] taken = new int[classes.length];
                for (int i : order) {
                    int k = newLabel[split.label(i)];
                    if (k >= 0 && taken[k] < perClass) {
                        taken[k]++;
                        keep[i] = true;
                    }
                }
            }
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < keep.length; i++) {
                if (keep[i]) {
                    kept.add(i);
                }
            }
            this.index = kept.stream().mapToInt(Integer::intValue).toArray();
            this.label = new int[index.length];
            for (int i = 0; i < index.length; i++) {
                label[i] = newLabel[split.label(index[i])];
            }
        }

        @Override
        public int size() {
            return index.length;
        }

        @Override
        public int label(int i) {
            return label[i];
        }

        @Override
        public void image(int i, float[] out, int offset) {
            split.image(index[i], out, offset);
        }

        @Override
        public boolean hasMasks() {
            return split.hasMasks();
        }

        @Override
        public void mask(int i, boolean[] out, int offset) {
            split.mask(index[i], out, offset);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
