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
    void viewsInsideFlatArraysStepAsTheFormula() {
        // as DL4J's updater blocks call it: the state and the gradient are views at an offset in flat float arrays
        for (boolean nesterov : new boolean[] {false, true}) {
            INDArray stateFlat = Nd4j.zeros(DataType.FLOAT, 1, 11);
            INDArray gradFlat = Nd4j.zeros(DataType.FLOAT, 1, 13);
            INDArray state = stateFlat.get(
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 9));
            GradientUpdater<?> u = new ClassicalMomentum(0.1, null, 0.9, nesterov).instantiate(state, true);
            double[] v = new double[6];
            for (int step = 0; step < 3; step++) {
                double[] g = new double[6];
                INDArray grad = gradFlat.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(5, 11));
                gradFlat.assign(-7); // the neighbours must stay untouched
                for (int i = 0; i < 6; i++) {
                    g[i] = Math.sin(1 + i + 7 * step);
                    grad.putScalar(i, g[i]);
                }
                u.applyUpdater(grad, step, 0);
                for (int i = 0; i < 6; i++) {
                    v[i] = 0.9 * v[i] + g[i];
                    double expected = 0.1 * (nesterov ? g[i] + 0.9 * v[i] : v[i]);
                    assertEquals(expected, grad.getDouble(i), 1e-6, "step " + step + ", element " + i);
                    assertEquals(v[i], state.getDouble(i), 1e-6);
                }
                for (int i : new int[] {0, 4, 11, 12}) {
                    assertEquals(-7, gradFlat.getDouble(0, i), 0);
                }
                for (int i : new int[] {0, 2, 9, 10}) {
                    assertEquals(0, stateFlat.getDouble(0, i), 0);
                }
            }
        }
    }

    @Test
    void aStepAllocatesNoArray() throws ReflectiveOperationException {
        // ND4J registers every buffer and op context made outside a workspace (views and scalar operands included)
        // with its deallocator service
        INDArray state = Nd4j.zeros(DataType.FLOAT, 1, 40)
                .get(
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 32));
        INDArray grad = Nd4j.rand(DataType.FLOAT, 1, 24);
        GradientUpdater<?> u = new ClassicalMomentum(0.1, null, 0.9, false).instantiate(state, true);
        u.applyUpdater(grad, 0, 0);
        java.lang.reflect.Field counter =
                org.nd4j.linalg.api.memory.deallocation.DeallocatorService.class.getDeclaredField("counter");
        counter.setAccessible(true);
        java.util.concurrent.atomic.AtomicLong registered =
                (java.util.concurrent.atomic.AtomicLong) counter.get(Nd4j.getDeallocatorService());
        long before = registered.get();
        u.applyUpdater(grad, 1, 0);
        assertEquals(0, registered.get() - before, "buffers and op contexts registered by one step");
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
