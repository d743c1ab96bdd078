package org.camloss.runtime.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Evaluation's log-softmax is finite where the log of an underflowed softmax is −∞. */
class LogSoftmaxTest {
    @Test
    void finiteAtLogitsThousandsApart() {
        double[][] lp = Evaluator.logSoftmax(new double[][] {{1000, 0, -1000}, {0.5, 0.5, 0.5}});
        assertEquals(0.0, lp[0][0], 1e-12);
        assertEquals(-1000.0, lp[0][1], 1e-9);
        assertEquals(-2000.0, lp[0][2], 1e-9);
        assertEquals(-Math.log(3), lp[1][2], 1e-12);
    }
}
