package org.camloss.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The divergence rule: a non-finite loss, or the last 20 steps' mean above the factor times the first step's loss. */
class DivergenceRuleTest {
    @Test
    void nonFiniteLossesDivergeAtOnce() {
        assertEquals("the loss is NaN", Trainer.divergence(Double.NaN, 1.4, List.of(), 10));
        assertEquals("the loss is Infinity", Trainer.divergence(Double.POSITIVE_INFINITY, 1.4, List.of(), 10));
    }

    @Test
    void aHighMeanOverTheWindowDivergesAHighStepDoesNot() {
        List<Double> spike = new java.util.ArrayList<>(Collections.nCopies(19, 1.0));
        spike.add(200.0); // mean 10.95 < 14
        assertNull(Trainer.divergence(200, 1.4, spike, 10));
        List<Double> high = Collections.nCopies(20, 64.0); // the SGD case: 64 against 1.39 at chance
        assertEquals(
                "the mean loss of the last 20 steps is 64.00, more than 10 times the first step's 1.390 "
                        + "(train.divergence_factor)",
                Trainer.divergence(64, 1.39, high, 10));
        assertNull(Trainer.divergence(64, 1.39, Collections.nCopies(19, 64.0), 10), "fewer than 20 steps");
        assertNull(Trainer.divergence(0.3, 1.39, Collections.nCopies(20, 0.3), 10), "a falling loss");
    }
}
