package org.camloss.runtime.fewshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Episodes: deterministic from the seed, class-balanced, support and query disjoint. */
class EpisodeSamplerTest {
    /** 6 classes of unequal sizes (20..45 examples), rows interleaved. */
    static int[] labels() {
        int[] sizes = {20, 25, 30, 35, 40, 45};
        int total = Arrays.stream(sizes).sum();
        int[] labels = new int[total];
        int[] left = sizes.clone();
        int row = 0;
        while (row < total) {
            for (int c = 0; c < sizes.length; c++) {
                if (left[c]-- > 0) {
                    labels[row++] = c;
                }
            }
        }
        return labels;
    }

    private final int[] labels = labels();
    private final EpisodeSampler sampler = EpisodeSampler.ofLabels(labels, 6);

    @Test
    void theSameSeedAndIndexGiveTheSameEpisodeInAnyOrder() {
        Episode late = sampler.episode(7, 5, 5, 15, 42);
        for (int e = 0; e < 42; e++) {
            sampler.episode(7, 5, 5, 15, e);
        }
        Episode again = sampler.episode(7, 5, 5, 15, 42);
        Episode fresh = EpisodeSampler.ofLabels(labels, 6).episode(7, 5, 5, 15, 42);
        for (Episode other : new Episode[] {again, fresh}) {
            assertArrayEquals(late.classes(), other.classes());
            assertTrue(Arrays.deepEquals(late.support(), other.support()));
            assertTrue(Arrays.deepEquals(late.query(), other.query()));
        }
    }

    @Test
    void otherSeedsEpisodesOrSettingsGiveOtherEpisodes() {
        Episode base = sampler.episode(7, 5, 1, 15, 0);
        assertFalse(same(base, sampler.episode(8, 5, 1, 15, 0)), "seed");
        assertFalse(same(base, sampler.episode(7, 5, 1, 15, 1)), "episode index");
        assertFalse(same(base, sampler.episode(7, 5, 1, 14, 0)), "queries");
    }

    private static boolean same(Episode a, Episode b) {
        return Arrays.equals(a.classes(), b.classes())
                && Arrays.deepEquals(a.support(), b.support())
                && Arrays.deepEquals(a.query(), b.query());
    }

    @Test
    void everyEpisodeIsBalancedAndItsSupportAndQueryAreDisjointExamplesOfTheirClass() {
        for (int e = 0; e < 300; e++) {
            int ways = 2 + e % 5;
            int shots = 1 + e % 5;
            Episode ep = sampler.episode(3, ways, shots, 15, e);
            assertEquals(ways, ep.ways());
            assertEquals(ways, Arrays.stream(ep.classes()).distinct().count(), "distinct classes");
            Set<Integer> seen = new HashSet<>();
            for (int w = 0; w < ways; w++) {
                assertEquals(shots, ep.support()[w].length);
                assertEquals(15, ep.query()[w].length);
                for (int row : ep.support()[w]) {
                    assertEquals(ep.classes()[w], labels[row], "support row of its way's class");
                    assertTrue(seen.add(row), "row " + row + " drawn twice in episode " + e);
                }
                for (int row : ep.query()[w]) {
                    assertEquals(ep.classes()[w], labels[row], "query row of its way's class");
                    assertTrue(seen.add(row), "row " + row + " drawn twice in episode " + e);
                }
            }
        }
    }

    @Test
    void classesAndExamplesAreDrawnUniformly() {
        int episodes = 6000;
        int[] classCount = new int[6];
        int[] rowCount = new int[labels.length];
        for (int e = 0; e < episodes; e++) {
            Episode ep = sampler.episode(11, 3, 1, 4, e);
            for (int w = 0; w < 3; w++) {
                classCount[ep.classes()[w]]++;
                for (int row : ep.support()[w]) {
                    rowCount[row]++;
                }
            }
        }
        // each class in half of the episodes (3 of 6): 3000 expected, binomial sd ~39
        for (int c = 0; c < 6; c++) {
            assertEquals(3000, classCount[c], 200, "class " + c);
        }
        // class 0's 20 examples are its one support example equally often: 3000/20 = 150 each, sd ~12
        for (int row = 0; row < labels.length; row++) {
            if (labels[row] == 0) {
                assertEquals(150, rowCount[row], 60, "row " + row);
            }
        }
    }

    @Test
    void settingsBeyondTheDataAreRefused() {
        assertEquals(
                "ways must be in [1, 6], found 7",
                assertThrows(IllegalArgumentException.class, () -> sampler.episode(0, 7, 1, 1, 0))
                        .getMessage());
        assertEquals(
                "shots + queries = 21 exceeds the 20 examples of the smallest class",
                assertThrows(IllegalArgumentException.class, () -> sampler.episode(0, 2, 6, 15, 0))
                        .getMessage());
        // exactly all examples of the smallest class is fine
        sampler.episode(0, 6, 5, 15, 0);
    }
}
