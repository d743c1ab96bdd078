package org.camloss.engine.optim;

import java.nio.FloatBuffer;
import org.camloss.engine.HostMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Change 24's figures: one step's weight decay and momentum ({@link HostLoops#axpy}, {@link HostLoops#momentum}) on
 * the parameter counts of ResNet-8 and ResNet-20, against the same loops written per element on the arrays'
 * {@code FloatBuffer}s, as they were before. Per size, {@code reps} repetitions of {@code calls} steps of each, in
 * turn; printed: the mean of the last repetition's steps, ms. Run it with the launcher's JIT setting
 * ({@code -XX:TieredStopAtLevel=1}). Not a test: {@code java -XX:TieredStopAtLevel=1 -cp <engine test class path>
 * org.camloss.engine.optim.HostLoopsTiming [calls reps]}.
 */
public final class HostLoopsTiming {
    private HostLoopsTiming() {}

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        for (int n : new int[] {78_000, 272_000}) {
            Nd4j.getRandom().setSeed(1);
            INDArray w = Nd4j.rand(DataType.FLOAT, n);
            INDArray g = Nd4j.rand(DataType.FLOAT, n);
            INDArray v = Nd4j.zeros(DataType.FLOAT, n);
            FloatBuffer wb = HostMemory.floats(w, n);
            FloatBuffer gb = HostMemory.floats(g, n);
            FloatBuffer vb = HostMemory.floats(v, n);
            double perElement = 0;
            double bulk = 0;
            for (int rep = 0; rep < reps; rep++) {
                long t0 = System.nanoTime();
                for (int k = 0; k < calls; k++) {
                    for (int i = 0; i < n; i++) {
                        gb.put(i, gb.get(i) + 5e-4f * wb.get(i));
                    }
                    for (int i = 0; i < n; i++) {
                        float gi = gb.get(i);
                        float vi = 0.9f * vb.get(i) + gi;
                        vb.put(i, vi);
                        gb.put(i, vi * 0.1f);
                    }
                }
                long t1 = System.nanoTime();
                for (int k = 0; k < calls; k++) {
                    HostLoops.axpy(5e-4, w, g);
                    HostLoops.momentum(0.9, 0.1, false, v, g);
                }
                long t2 = System.nanoTime();
                perElement = (t1 - t0) / 1e6 / calls;
                bulk = (t2 - t1) / 1e6 / calls;
            }
            System.out.printf(
                    "%d parameters: per-element FloatBuffer loops %.3f ms, HostLoops (bulk copies, array loops) %.3f ms%n",
                    n, perElement, bulk);
        }
    }
}
