package org.camloss.datasets;

import java.util.List;
import java.util.Optional;
import org.camloss.api.InputShape;
import org.camloss.api.Params;
import org.camloss.api.data.Augmentation;
import org.camloss.api.data.DataSplit;
import org.camloss.api.data.Dataset;
import org.camloss.api.data.DatasetInfo;

/**
 * A dataset held as bytes ({@link ImageArrays}), normalised per channel on access: (x/255 − mean) / std,
 * with the statistics of the training images used unless the config gives them. Applies the shared
 * {@link DataParams}: limits (already applied by the reader), the validation hold-out and augmentation.
 */
public final class ArrayDataset implements Dataset {
    private final DatasetInfo info;
    private final DataSplit train;
    private final DataSplit test;
    private final DataSplit validation;
    private final Augmentation augmentation;
    private final double[] mean;
    private final double[] std;

    /**
     * @param name        human-readable name
     * @param classes     class names
     * @param train       training images (limited already)
     * @param test        test images (limited already)
     * @param params      the dataset's resolved params (shared {@link DataParams} among them)
     * @param fingerprint SHA-256 of what was read
     */
    public ArrayDataset(
            String name, List<String> classes, ImageArrays train, ImageArrays test, Params params, String fingerprint) {
        int held = params.getInt("validation");
        if (held >= train.size()) {
            throw new IllegalArgumentException(
                    "validation: must be smaller than the " + train.size() + " training images used, found " + held);
        }
        ImageArrays fit = held > 0 ? train.slice(0, train.size() - held) : train;
        ImageArrays val = held > 0 ? train.slice(train.size() - held, train.size()) : null;
        int c = train.channels();
        double[] m = DataParams.channelValues(params, "mean", c, false);
        double[] s = DataParams.channelValues(params, "std", c, true);
        double[][] stats = m == null || s == null ? statistics(fit) : null;
        this.mean = m != null ? m : stats[0];
        this.std = s != null ? s : stats[1];
        for (int k = 0; k < c; k++) {
            if (!(std[k] > 0)) {
                throw new IllegalArgumentException(
                        "std: the training images are constant in channel " + k + "; give std explicitly");
            }
        }
        this.info = new DatasetInfo(name, classes, new InputShape(c, train.height(), train.width()), fingerprint);
        this.train = new Split(fit);
        this.test = new Split(test);
        this.validation = val == null ? null : new Split(val);
        this.augmentation = DataParams.augmentation(params);
    }

    @Override
    public DatasetInfo info() {
        return info;
    }

    @Override
    public DataSplit train() {
        return train;
    }

    @Override
    public DataSplit test() {
        return test;
    }

    @Override
    public Optional<DataSplit> validation() {
        return Optional.ofNullable(validation);
    }

    @Override
    public Augmentation augmentation() {
        return augmentation;
    }

    @Override
    public Optional<org.camloss.api.data.PixelNormalization> normalization() {
        return Optional.of(new org.camloss.api.data.PixelNormalization(mean, std));
    }

    /** The per-channel mean used (after /255). */
    public double[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviation used (after /255). */
    public double[] std() {
        return std.clone();
    }

    /** Mean and standard deviation per channel of pixel/255. */
    static double[][] statistics(ImageArrays a) {
        int c = a.channels();
        double[] sum = new double[c];
        double[] sq = new double[c];
        byte[] px = a.pixels();
        for (int i = 0; i < px.length; i++) {
            double v = (px[i] & 0xFF) / 255.0;
            sum[i % c] += v;
            sq[i % c] += v * v;
        }
        long n = px.length / c;
        double[] mean = new double[c];
        double[] std = new double[c];
        for (int k = 0; k < c; k++) {
            mean[k] = sum[k] / n;
            std[k] = Math.sqrt(Math.max(0, sq[k] / n - mean[k] * mean[k]));
        }
        return new double[][] {mean, std};
    }

    private final class Split implements DataSplit {
        private final ImageArrays a;

        Split(ImageArrays a) {
            this.a = a;
        }

        @Override
        public int size() {
            return a.size();
        }

        @Override
        public int label(int index) {
            return a.labels()[index];
        }

        @Override
        public void image(int index, float[] out, int offset) {
            int per = a.imageBytes();
            int c = a.channels();
            byte[] px = a.pixels();
            int base = index * per;
            for (int i = 0; i < per; i++) {
                int k = i % c;
                out[offset + i] = (float) (((px[base + i] & 0xFF) / 255.0 - mean[k]) / std[k]);
            }
        }
    }
}
