package org.camloss.api.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The parameter-free shortcut of He et al. (2016), option A: keeps every {@code stride}-th row and column
 * of a feature map (a 1×1 subsampling) and pads the channels with zeros, {@code padBefore} in front and
 * {@code padAfter} behind.
 *
 * <p>Output size: {@code ceil(H / stride) × ceil(W / stride) × (C + padBefore + padAfter)}, which matches a
 * {@code ConvolutionMode.Same} convolution of the same stride. The backward pass routes the gradient of the
 * copied channels back to the kept positions and gives zero to the others. A bean (no-argument constructor,
 * getters and setters) so that graph configurations with it survive JSON serialisation.
 */
public class ZeroPadShortcutVertex extends GraphVertex {
    private int stride = 1;
    private int padBefore;
    private int padAfter;
    private boolean channelsLast = true;

    /** For JSON deserialisation. */
    public ZeroPadShortcutVertex() {}

    /**
     * @param stride       subsampling step in both spatial directions (1 for none)
     * @param padBefore    zero channels in front of the input's
     * @param padAfter     zero channels behind the input's
     * @param channelsLast true for NHWC maps, false for NCHW
     */
    public ZeroPadShortcutVertex(int stride, int padBefore, int padAfter, boolean channelsLast) {
        if (stride < 1 || padBefore < 0 || padAfter < 0) {
            throw new IllegalArgumentException("stride must be positive and paddings non-negative, found stride "
                    + stride + ", padding " + padBefore + "/" + padAfter);
        }
        this.stride = stride;
        this.padBefore = padBefore;
        this.padAfter = padAfter;
        this.channelsLast = channelsLast;
    }

    public int getStride() {
        return stride;
    }

    public void setStride(int stride) {
        this.stride = stride;
    }

    public int getPadBefore() {
        return padBefore;
    }

    public void setPadBefore(int padBefore) {
        this.padBefore = padBefore;
    }

    public int getPadAfter() {
        return padAfter;
    }

    public void setPadAfter(int padAfter) {
        this.padAfter = padAfter;
    }

    public boolean isChannelsLast() {
        return channelsLast;
    }

    public void setChannelsLast(boolean channelsLast) {
        this.channelsLast = channelsLast;
    }

    @Override
    public ZeroPadShortcutVertex clone() {
        return new ZeroPadShortcutVertex(stride, padBefore, padAfter, channelsLast);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZeroPadShortcutVertex v
                && v.stride == stride
                && v.padBefore == padBefore
                && v.padAfter == padAfter
                && v.channelsLast == channelsLast;
    }

    @Override
    public int hashCode() {
        return ((stride * 31 + padBefore) * 31 + padAfter) * 2 + (channelsLast ? 1 : 0);
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
            ComputationGraph graph,
            String name,
            int idx,
            INDArray paramsView,
            boolean initializeParams,
            DataType networkDatatype) {
        return new Impl(graph, name, idx, networkDatatype, this);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || !(vertexInputs[0] instanceof InputType.InputTypeConvolutional c)) {
            throw new InvalidInputTypeException(
                    "ZeroPadShortcutVertex takes one convolutional input, found " + Arrays.toString(vertexInputs));
        }
        long h = c.getHeight() < 0 ? c.getHeight() : (c.getHeight() + stride - 1) / stride;
        long w = c.getWidth() < 0 ? c.getWidth() : (c.getWidth() + stride - 1) / stride;
        return InputType.convolutional(
                h, w, c.getChannels() + padBefore + padAfter, channelsLast ? CNN2DFormat.NHWC : CNN2DFormat.NCHW);
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, ZeroPadShortcutVertex.class, inputTypes[0], out)
                .standardMemory(0, 0)
                .workingMemory(0, 0, 0, 0)
                .cacheMemory(0, 0)
                .build();
    }

    /** The runtime vertex. */
    static final class Impl extends ParameterFreeVertex {
        private final ZeroPadShortcutVertex conf;

        Impl(ComputationGraph graph, String name, int index, DataType dataType, ZeroPadShortcutVertex conf) {
            super(graph, name, index, dataType);
            this.conf = conf;
        }

        /** The index of the kept positions (spatial) and of the given channel range, in this layout. */
        private INDArrayIndex[] index(long[] shape, boolean spatial, long c0, long c1) {
            int hAxis = conf.channelsLast ? 1 : 2;
            INDArrayIndex[] idx = new INDArrayIndex[4];
            idx[0] = NDArrayIndex.all();
            for (int a = hAxis; a < hAxis + 2; a++) {
                idx[a] = spatial && conf.stride > 1
                        ? NDArrayIndex.interval(0, conf.stride, shape[a])
                        : NDArrayIndex.all();
            }
            idx[conf.channelsLast ? 3 : 1] = c0 < 0 ? NDArrayIndex.all() : NDArrayIndex.interval(c0, c1);
            return idx;
        }

        private long[] outShape(long[] in) {
            long[] out = in.clone();
            int hAxis = conf.channelsLast ? 1 : 2;
            int cAxis = conf.channelsLast ? 3 : 1;
            out[hAxis] = (in[hAxis] + conf.stride - 1) / conf.stride;
            out[hAxis + 1] = (in[hAxis + 1] + conf.stride - 1) / conf.stride;
            out[cAxis] = in[cAxis] + conf.padBefore + conf.padAfter;
            return out;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward()) {
                throw new IllegalStateException("ZeroPadShortcutVertex " + vertexName + ": input not set");
            }
            INDArray x = inputs[0];
            long[] s = x.shape();
            long c = s[conf.channelsLast ? 3 : 1];
            INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, x.dataType(), outShape(s));
            out.get(index(out.shape(), false, conf.padBefore, conf.padBefore + c))
                    .assign(x.get(index(s, true, -1, -1)));
            return out;
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("ZeroPadShortcutVertex " + vertexName + ": epsilon not set");
            }
            long[] s = inputs[0].shape();
            long c = s[conf.channelsLast ? 3 : 1];
            INDArray grad = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), s);
            grad.get(index(s, true, -1, -1))
                    .assign(epsilon.get(index(epsilon.shape(), false, conf.padBefore, conf.padBefore + c)));
            return new Pair<>(null, new INDArray[] {grad});
        }

        @Override
        public String toString() {
            return "ZeroPadShortcutVertex(name=\"" + vertexName + "\", stride=" + conf.stride + ", pad="
                    + conf.padBefore + "/" + conf.padAfter + ")";
        }
    }
}
