package org.camloss.api.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The output buffers of a graph's folded convolutions ({@link FoldedInference}), outside DL4J's workspaces: a few
 * flat float buffers ("slots") shared by convolutions whose outputs are never needed at the same time, as DL4J's
 * inference reuses its per-vertex activation workspaces. {@link FoldedInference#open} gives every paired convolution
 * a slot from the graph's topological order (an output is live from its convolution's step to the last step that
 * reads it, through the batch norm and, for a fused residual add, the add vertex that pass it on); a slot grows to
 * its largest member and is kept from scope to scope by the layers, so that per-batch scopes (the evaluator's) do not
 * allocate. Not thread-safe, as a graph is not.
 */
final class OutputSlots {
    private final List<INDArray> buffers = new ArrayList<>();

    /** The number of slots. */
    int size() {
        return buffers.size();
    }

    /** Makes sure there are at least {@code n} slots. */
    void ensure(int n) {
        while (buffers.size() < n) {
            buffers.add(null);
        }
    }

    /**
     * Slot {@code slot}'s flat buffer with room for {@code length} elements of {@code type}, (re)allocated when it is
     * smaller or of another type; the caller keeps a view of it while this very buffer is returned.
     */
    INDArray buffer(int slot, DataType type, long length) {
        INDArray b = buffers.get(slot);
        if (b == null || b.dataType() != type || b.length() < length) {
            b = Nd4j.createUninitializedDetached(type, length);
            buffers.set(slot, b);
        }
        return b;
    }

    /** Floats held by all slots (for tests and logs). */
    long elements() {
        long n = 0;
        for (INDArray b : buffers) {
            n += b == null ? 0 : b.length();
        }
        return n;
    }
}
