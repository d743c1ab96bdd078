package org.camloss.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J array's host memory as a Java buffer, for the engine's host loops (the optimizer's updates, the graph
 * updater, the head's bias and softmax). Valid on the CPU backend only, where an array's host memory is its memory
 * ({@link #cpu()}); the caller checks that the array is contiguous from its first element.
 */
public final class HostMemory {
    private HostMemory() {}

    private static volatile Boolean cpu;

    /** Whether ND4J runs on the CPU backend, where an array's host memory is its memory. */
    public static boolean cpu() {
        if (cpu == null) {
            cpu = "CPU".equals(Backend.name());
        }
        return cpu;
    }

    /** The {@code n} floats from the array's first element (a view's address already points there). */
    public static FloatBuffer floats(INDArray a, long n) {
        return new FloatPointer(a.data().addressPointer()).capacity(n).limit(n).asBuffer();
    }

    /** The {@code n} doubles from the array's first element. */
    public static DoubleBuffer doubles(INDArray a, long n) {
        return new DoublePointer(a.data().addressPointer()).capacity(n).limit(n).asBuffer();
    }

    /** A copy of the first {@code n} floats of {@code a}. */
    public static float[] copyFloats(INDArray a, int n) {
        float[] v = new float[n];
        floats(a, n).get(v);
        return v;
    }
}
