package org.camloss.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

class ClassicalMomentumTest {
    private static double[] steps(boolean nesterov, double[][] grads) {
        ClassicalMomentum cfg = new ClassicalMomentum(0.1, null, 0.9, nesterov);
        GradientUpdater<?> u = cfg.instantiate(Nd4j.zeros(DataType.DOUBLE, 1, 2), true);
        double[] updates = new double[grads.length * 2];
        for (int i = 0; i < grads.length; i++) {
            INDArray g = Nd4j.create(grads[i], new long[] {1, 2}, DataType.DOUBLE);
            u.applyUpdater(g, i, 0);
            updates[2 * i] = g.getDouble(0);
            updates[2 * i + 1] = g.getDouble(1);
        }
        return updates;
    }

    @Test
    void heavyBallMatchesPyTorchSgd() {
        // v1 = g1 = (1, -2); v2 = 0.9 v1 + g2 = (0.9 + 0.5, -1.8 + 1) ; update = lr v
        double[] u = steps(false, new double[][] {{1, -2}, {0.5, 1}});
        assertEquals(0.1, u[0], 1e-12);
        assertEquals(-0.2, u[1], 1e-12);
        assertEquals(0.1 * 1.4, u[2], 1e-12);
        assertEquals(0.1 * -0.8, u[3], 1e-12);
    }

    @Test
    void nesterovMatchesPyTorchSgd() {
        // PyTorch: v = mu v + g; update = lr (g + mu v)
        double[] u = steps(true, new double[][] {{1, -2}, {0.5, 1}});
        assertEquals(0.1 * (1 + 0.9 * 1), u[0], 1e-12);
        assertEquals(0.1 * (-2 + 0.9 * -2), u[1], 1e-12);
        assertEquals(0.1 * (0.5 + 0.9 * 1.4), u[2], 1e-12);
        assertEquals(0.1 * (1 + 0.9 * -0.8), u[3], 1e-12);
    }

    @Test
    void cosineDecaysToFinalPerIteration() {
        CosineSchedule s = new CosineSchedule(0.1, 0.0, 100, 0);
        assertEquals(0.1, s.valueAt(0, 0), 1e-12);
        assertEquals(0.05, s.valueAt(50, 0), 1e-12);
        assertEquals(0.0, s.valueAt(100, 0), 1e-12);
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.valueAt(25, 3), 1e-12);
        CosineSchedule warm = new CosineSchedule(0.1, 0.0, 110, 10);
        assertEquals(0.01, warm.valueAt(0, 0), 1e-12);
        assertEquals(0.1, warm.valueAt(10, 0), 1e-12);
        assertEquals(0.05, warm.valueAt(60, 0), 1e-12);
    }

    @Test
    void stepScheduleDecaysEveryStep() {
        StepSchedule s = new StepSchedule(0.1, 0.1, 10);
        assertEquals(0.1, s.valueAt(9, 0), 1e-12);
        assertEquals(0.01, s.valueAt(10, 1), 1e-12);
        assertEquals(0.001, s.valueAt(25, 2), 1e-12);
    }
}
