package org.camloss.runtime.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Episodes of a feature set, every classifier on the same ones. */
class EpisodeEvaluationTest {
    /** {@code perClass} rows for each of {@code classes} classes: a class centre times {@code separation} plus noise. */
    static FeatureSet features(int classes, int perClass, int dim, double separation, long seed) {
        Random rng = new Random(seed);
        double[][] centres = new double[classes][dim];
        for (double[] c : centres) {
            for (int d = 0; d < dim; d++) {
                c[d] = rng.nextGaussian() * separation;
            }
        }
        int n = classes * perClass;
        float[][] rows = new float[n][dim];
        int[] labels = new int[n];
        int[] examples = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            examples[i] = i;
            for (int d = 0; d < dim; d++) {
                rows[i][d] = (float) (centres[labels[i]][d] + rng.nextGaussian());
            }
        }
        return new FeatureSet(rows, labels, examples);
    }

    @Test
    void wellSeparatedClassesAreAlwaysRight() {
        EpisodeEvaluation eval = new EpisodeEvaluation(features(6, 30, 8, 50, 1), 6);
        List<FewShotResult.Setting> settings =
                eval.run(List.of(FewShotMethod.values()), List.of(5), List.of(1), 10, 40, 0, FewShotListener.NONE);
        assertEquals(4, settings.size());
        for (FewShotResult.Setting s : settings) {
            assertEquals(1.0, s.accuracy().mean(), 0.0, s.classifier());
            assertEquals(0.0, s.accuracy().ci95(), 0.0, s.classifier());
            assertEquals(40, s.accuracy().episodes());
        }
    }

    @Test
    void featuresWithoutClassInformationAreAtChance() {
        EpisodeEvaluation eval = new EpisodeEvaluation(features(10, 40, 8, 0, 2), 10);
        List<FewShotResult.Setting> settings = eval.run(
                List.of(FewShotMethod.PROTOTYPE, FewShotMethod.NEAREST),
                List.of(2, 5),
                List.of(5),
                15,
                400,
                3,
                FewShotListener.NONE);
        assertEquals(
                List.of(2, 2, 5, 5),
                settings.stream().map(FewShotResult.Setting::ways).toList());
        for (FewShotResult.Setting s : settings) {
            double chance = 1.0 / s.ways();
            // the interval is about 1.96 * std / 20; chance lies within three of its half-widths
            assertEquals(chance, s.accuracy().mean(), 3 * s.accuracy().ci95(), s.toString());
            assertTrue(s.accuracy().ci95() > 0);
        }
    }

    @Test
    void resultsDependOnTheSeedAloneNotOnWhichOtherClassifiersRan() {
        FeatureSet f = features(6, 25, 4, 1.0, 3);
        FewShotResult.Setting alone = new EpisodeEvaluation(f, 6)
                .run(List.of(FewShotMethod.LOGISTIC), List.of(3), List.of(2), 5, 50, 9, FewShotListener.NONE)
                .get(0);
        List<FewShotResult.Setting> together = new EpisodeEvaluation(f, 6)
                .run(
                        List.of(FewShotMethod.NEAREST, FewShotMethod.LOGISTIC),
                        List.of(3),
                        List.of(2),
                        5,
                        50,
                        9,
                        FewShotListener.NONE);
        assertEquals(alone.accuracy(), together.get(1).accuracy());
        FewShotResult.Setting otherSeed = new EpisodeEvaluation(f, 6)
                .run(List.of(FewShotMethod.LOGISTIC), List.of(3), List.of(2), 5, 50, 10, FewShotListener.NONE)
                .get(0);
        assertTrue(otherSeed.accuracy().mean() != alone.accuracy().mean(), "another seed, other episodes");
    }

    @Test
    void episodeAccuracyIsTheShareOfRightQueries() {
        assertEquals(0.75, EpisodeEvaluation.accuracy(new int[] {0, 1, 1, 2}, new int[] {0, 1, 2, 2}), 0.0);
    }
}
