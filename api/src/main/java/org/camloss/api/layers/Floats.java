package org.camloss.api.layers;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Bulk copies between Java float arrays and C-order contiguous float INDArrays (views included): one memory copy on
 * ND4J's CPU backend, where ND4J M2.1's own {@code toFloatVector()} and {@code Nd4j.create(float[])} make a call per
 * element (about 20x slower under the launcher's C1-only JIT); ND4J's element-wise copies on other backends.
 */
public final class Floats {
    private Floats() {}

    /**
     * The first {@code n} elements of {@code a}, in C order.
     *
     * @throws IllegalArgumentException when {@code a} is not float or has fewer than {@code n} elements
     */
    public static float[] read(INDArray a, int n) {
        float[] out = new float[n];
        read(a, out);
        return out;
    }

    /**
     * Fills {@code out} with the first {@code out.length} elements of {@code a} (C order; copied first if strided).
     *
     * @throws IllegalArgumentException when {@code a} is not float or has fewer than {@code out.length} elements
     */
    public static void read(INDArray a, float[] out) {
        INDArray c = contiguous(a) ? a : a.dup('c');
        if (!Nd4j.getEnvironment().isCPU()) {
            check(c, out.length);
            float[] all = c.reshape(c.length()).toFloatVector();
            System.arraycopy(all, 0, out, 0, out.length);
            return;
        }
        at(c, out.length).get(out, 0, out.length);
    }

    /**
     * Writes {@code values} into the first {@code values.length} elements of {@code a}.
     *
     * @param a a C-order contiguous float array (a view of one included)
     * @throws IllegalArgumentException when {@code a} is not float, not contiguous or has fewer elements
     */
    public static void write(float[] values, INDArray a) {
        if (!Nd4j.getEnvironment().isCPU()) {
            check(a, values.length);
            a.reshape(a.length()).get(NDArrayIndex.interval(0, values.length)).assign(Nd4j.createFromArray(values));
            return;
        }
        at(a, values.length).put(values, 0, values.length);
    }

    private static void check(INDArray a, int n) {
        if (a.dataType() != DataType.FLOAT || a.length() < n || !contiguous(a)) {
            throw new IllegalArgumentException("expected a contiguous float array of at least " + n
                    + " elements, found " + a.dataType() + " " + a.shapeInfoToString());
        }
    }

    private static FloatPointer at(INDArray a, int n) {
        check(a, n);
        Pointer p = a.data().addressPointer(); // a view's buffer pointer already includes the view's offset
        return new At(p.address() + p.position() * p.sizeof(), n);
    }

    private static boolean contiguous(INDArray a) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** A float pointer at an address. */
    private static final class At extends FloatPointer {
        At(long address, long n) {
            super((Pointer) null);
            this.address = address;
            this.limit = n;
            this.capacity = n;
        }
    }
}
