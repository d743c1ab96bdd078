package org.camloss.engine.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.camloss.engine.HostMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The optimizer's element-wise updates as plain Java loops over the arrays' host memory, where ND4J's ops would make
 * one native call per op plus its set-up (shape information, scalar operands, an op context, OpenMP's fork and join),
 * and temporaries that, outside DL4J's workspaces, wait for the garbage collector (docs/performance.md, "Profile of
 * what is left"). Only for CPU arrays of float or double whose elements lie contiguously in one order: {@link
 * #applies} says when; otherwise callers keep ND4J's ops. The arrays are read and written in place; nothing is
 * allocated outside the Java heap.
 */
final class HostLoops {
    /**
     * Per-thread Java arrays that the float loops run on: the values are copied in and out in bulk, because under the
     * launcher's C1-only JIT a loop of {@code FloatBuffer.get(i)}/{@code put(i)} on native memory makes a call per
     * element (1.87 ms for ResNet-8's 78,000 parameters' weight decay and momentum against 0.30 ms through arrays;
     * docs/performance.md, Change 24). Grown as needed and kept.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private HostLoops() {}

    /** Scratch array {@code which} (0 or 1) of this thread, of at least {@code n} floats. */
    static float[] scratch(int which, int n) {
        float[][] s = SCRATCH.get();
        if (s[which].length < n) {
            s[which] = new float[n];
        }
        return s[which];
    }

    /**
     * Whether {@code a} and {@code b} can be updated here: the CPU backend (host memory is the arrays' memory), one
     * type (float or double), one length, each contiguous, and element i of one is element i of the other (both
     * vectors, or one order and shape).
     */
    static boolean applies(INDArray a, INDArray b) {
        return cpu()
                && a.dataType() == b.dataType()
                && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE)
                && a.length() == b.length()
                && a.length() <= Integer.MAX_VALUE
                && a.elementWiseStride() == 1
                && b.elementWiseStride() == 1
                && (a.isVector() && b.isVector()
                        || a.ordering() == b.ordering() && Arrays.equals(a.shape(), b.shape()));
    }

    /** Whether ND4J runs on the CPU backend, where an array's host memory is its memory. */
    static boolean cpu() {
        return HostMemory.cpu();
    }

    /** y ← y + alpha·x (requires {@link #applies}{@code (x, y)}). */
    static void axpy(double alpha, INDArray x, INDArray y) {
        int n = (int) x.length();
        if (x.dataType() == DataType.FLOAT) {
            FloatBuffer ys = HostMemory.floats(y, n);
            float[] xa = scratch(0, n);
            float[] ya = scratch(1, n);
            HostMemory.floats(x, n).get(0, xa, 0, n);
            ys.get(0, ya, 0, n);
            float a = (float) alpha;
            for (int i = 0; i < n; i++) {
                ya[i] = ya[i] + a * xa[i];
            }
            ys.put(0, ya, 0, n);
        } else {
            DoubleBuffer xs = HostMemory.doubles(x, n);
            DoubleBuffer ys = HostMemory.doubles(y, n);
            for (int i = 0; i < n; i++) {
                ys.put(i, ys.get(i) + alpha * xs.get(i));
            }
        }
    }

    /**
     * Heavy-ball momentum in one pass (requires {@link #applies}{@code (v, g)}): v ← μ·v + g, then g ← lr·v, or with
     * {@code nesterov} g ← lr·(g + μ·v), each value rounded as ND4J's sequence of ops rounds it.
     */
    static void momentum(double mu, double lr, boolean nesterov, INDArray v, INDArray g) {
        int n = (int) v.length();
        if (v.dataType() == DataType.FLOAT) {
            FloatBuffer vs = HostMemory.floats(v, n);
            FloatBuffer gs = HostMemory.floats(g, n);
            float[] va = scratch(0, n);
            float[] ga = scratch(1, n);
            vs.get(0, va, 0, n);
            gs.get(0, ga, 0, n);
            float m = (float) mu;
            float r = (float) lr;
            for (int i = 0; i < n; i++) {
                float gi = ga[i];
                float vi = m * va[i] + gi;
                va[i] = vi;
                ga[i] = nesterov ? (gi + m * vi) * r : vi * r;
            }
            vs.put(0, va, 0, n);
            gs.put(0, ga, 0, n);
        } else {
            DoubleBuffer vs = HostMemory.doubles(v, n);
            DoubleBuffer gs = HostMemory.doubles(g, n);
            for (int i = 0; i < n; i++) {
                double gi = gs.get(i);
                double vi = mu * vs.get(i) + gi;
                vs.put(i, vi);
                gs.put(i, nesterov ? (gi + mu * vi) * lr : vi * lr);
            }
        }
    }
}
