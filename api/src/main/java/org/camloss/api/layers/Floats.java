package org.camloss.api.layers;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bulk copies between Java float arrays and C-order contiguous float INDArrays (views included), in native memory. */
final class Floats {
    private Floats() {}

    /** The first {@code n} elements of {@code a}. */
    static float[] read(INDArray a, int n) {
        float[] out = new float[n];
        read(a, out);
        return out;
    }

    /** Fills {@code out} with the first {@code out.length} elements of {@code a} (C order; copied first if strided). */
    static void read(INDArray a, float[] out) {
        INDArray c = contiguous(a) ? a : a.dup('c');
        at(c, out.length).get(out, 0, out.length);
    }

    /** Writes {@code values} into the first {@code values.length} elements of {@code a}. */
    static void write(float[] values, INDArray a) {
        at(a, values.length).put(values, 0, values.length);
    }

    private static FloatPointer at(INDArray a, int n) {
        if (a.dataType() != DataType.FLOAT || a.length() < n || !contiguous(a)) {
            throw new IllegalArgumentException("expected a contiguous float array of at least " + n
                    + " elements, found " + a.dataType() + " " + a.shapeInfoToString());
        }
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
