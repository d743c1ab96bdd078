package org.camloss.runtime.fewshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates classifiers on episodes of a {@link FeatureSet}: for each (ways, shots) setting, episodes {@code 0..n-1}
 * are drawn by {@link EpisodeSampler} and every classifier labels the queries of the same episode; an episode's
 * accuracy is the share of its {@code ways · queries} queries labelled correctly, and each (classifier, ways, shots)
 * gets the mean over the episodes with its 95 % confidence interval ({@link AccuracySummary}). Plain Java on the
 * feature arrays, one thread.
 */
public final class EpisodeEvaluation {
    private final FeatureSet features;
    private final EpisodeSampler sampler;

    /**
     * @param features the examples
     * @param classes  the number of classes (rows are labelled {@code 0..classes-1})
     */
    public EpisodeEvaluation(FeatureSet features, int classes) {
        this.features = features;
        this.sampler = EpisodeSampler.ofLabels(features.classes(), classes);
    }

    /** The sampler the episodes come from. */
    public EpisodeSampler sampler() {
        return sampler;
    }

    /**
     * Every setting, classifiers innermost: for each ways, each shots, each method.
     *
     * @throws IllegalArgumentException when a setting cannot be sampled (see {@link EpisodeSampler#episode})
     */
    public List<FewShotResult.Setting> run(
            List<FewShotMethod> methods,
            List<Integer> ways,
            List<Integer> shots,
            int queries,
            int episodes,
            long seed,
            FewShotListener listener) {
        List<FewShotResult.Setting> out = new ArrayList<>();
        for (int n : ways) {
            for (int k : shots) {
                out.addAll(setting(methods, n, k, queries, episodes, seed, listener));
            }
        }
        return out;
    }

    private List<FewShotResult.Setting> setting(
            List<FewShotMethod> methods,
            int ways,
            int shots,
            int queries,
            int episodes,
            long seed,
            FewShotListener listener) {
        List<FewShotClassifier> classifiers =
                methods.stream().map(FewShotMethod::create).toList();
        double[][] accuracy = new double[methods.size()][episodes];
        long[] nanos = new long[methods.size()];
        float[][] support = new float[ways * shots][];
        int[] supportWays = new int[ways * shots];
        float[][] query = new float[ways * queries][];
        int[] queryWays = new int[ways * queries];
        for (int e = 0; e < episodes; e++) {
            Episode episode = sampler.episode(seed, ways, shots, queries, e);
            for (int w = 0; w < ways; w++) {
                for (int s = 0; s < shots; s++) {
                    support[w * shots + s] = features.rows()[episode.support()[w][s]];
                    supportWays[w * shots + s] = w;
                }
                for (int q = 0; q < queries; q++) {
                    query[w * queries + q] = features.rows()[episode.query()[w][q]];
                    queryWays[w * queries + q] = w;
                }
            }
            for (int m = 0; m < classifiers.size(); m++) {
                long start = System.nanoTime();
                int[] predicted = classifiers.get(m).predict(support, supportWays, ways, query);
                nanos[m] += System.nanoTime() - start;
                accuracy[m][e] = accuracy(predicted, queryWays);
            }
        }
        List<FewShotResult.Setting> out = new ArrayList<>();
        for (int m = 0; m < methods.size(); m++) {
            FewShotResult.Setting s = new FewShotResult.Setting(
                    methods.get(m).id(), ways, shots, queries, AccuracySummary.of(accuracy[m]), nanos[m] / 1e9);
            listener.onSettingEnd(s);
            out.add(s);
        }
        return out;
    }

    /** The share of {@code predicted} equal to {@code truth}. */
    static double accuracy(int[] predicted, int[] truth) {
        int right = 0;
        for (int i = 0; i < truth.length; i++) {
            if (predicted[i] == truth[i]) {
                right++;
            }
        }
        return truth.length == 0 ? 0 : right / (double) truth.length;
    }
}
