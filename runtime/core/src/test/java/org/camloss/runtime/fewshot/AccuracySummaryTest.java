package org.camloss.runtime.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Mean ± 1.96 · std / √n with the population standard deviation. */
class AccuracySummaryTest {
    @Test
    void meanStdAndIntervalByHand() {
        AccuracySummary s = AccuracySummary.of(new double[] {1.0, 0.5, 0.5, 0.0});
        assertEquals(4, s.episodes());
        assertEquals(0.5, s.mean(), 1e-15);
        // squared deviations 0.25 + 0 + 0 + 0.25 = 0.5, / 4 = 0.125
        assertEquals(Math.sqrt(0.125), s.std(), 1e-15);
        assertEquals(1.96 * Math.sqrt(0.125) / 2, s.ci95(), 1e-15);
        assertEquals(0.34648232278140833, s.ci95(), 1e-15);
    }

    @Test
    void equalAccuraciesHaveNoSpread() {
        AccuracySummary s = AccuracySummary.of(new double[] {0.6, 0.6, 0.6});
        assertEquals(0.6, s.mean(), 1e-15);
        assertEquals(0.0, s.std(), 1e-15);
        assertEquals(0.0, s.ci95(), 1e-15);
        assertEquals(0.0, AccuracySummary.of(new double[] {0.25}).ci95());
    }

    @Test
    void theIntervalShrinksWithTheSquareRootOfTheEpisodes() {
        double[] small = {1, 0};
        double[] large = new double[200];
        for (int i = 0; i < large.length; i++) {
            large[i] = i % 2;
        }
        // same std (0.5) both times; the interval shrinks by sqrt(100) = 10
        assertEquals(
                AccuracySummary.of(small).ci95() / 10, AccuracySummary.of(large).ci95(), 1e-15);
    }

    @Test
    void noEpisodesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AccuracySummary.of(new double[0]));
    }
}
