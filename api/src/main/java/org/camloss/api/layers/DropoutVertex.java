package org.camloss.api.layers;

import java.util.Arrays;
import java.util.SplittableRandom;
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
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout of a feature map [N, H, W, C] (or [N, C, H, W]), of whole channels or of single units: in training
 * each channel of each sample ({@code wholeChannels}), or each unit, is kept with probability 1 − p and then scaled by
 * 1 / (1 − p), or zeroed; at inference the identity (the training output's expectation). Whole channels before the
 * camloss head: its global average pooling turns that into exactly dropout of the pooled features before the linear
 * layer, while the CAMs of the step are computed from the same dropped map. Single units inside residual blocks (the
 * wide-resnet block dropout a regularizer asks for).
 *
 * <p>Masks come from {@code StepRandom}: the model's seed, this vertex's name and the iteration, so every forward pass
 * of a step sees the same mask. A bean so that graph configurations with it survive JSON serialisation; the class name
 * is stored in model files.
 */
public class DropoutVertex extends GraphVertex {
    private double p;
    private boolean wholeChannels = true;
    private boolean channelsLast = true;

    /** For JSON deserialisation. */
    public DropoutVertex() {}

    /**
     * @param p             probability of dropping a channel or unit, in [0, 1)
     * @param wholeChannels drop whole channels of each sample (true) or single units (false)
     * @param channelsLast  true for NHWC maps, false for NCHW
     */
    public DropoutVertex(double p, boolean wholeChannels, boolean channelsLast) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), found " + p);
        }
        this.p = p;
        this.wholeChannels = wholeChannels;
        this.channelsLast = channelsLast;
    }

    public boolean isWholeChannels() {
        return wholeChannels;
    }

    public void setWholeChannels(boolean wholeChannels) {
        this.wholeChannels = wholeChannels;
    }

    public double getP() {
        return p;
    }

    public void setP(double p) {
        this.p = p;
    }

    public boolean isChannelsLast() {
        return channelsLast;
    }

    public void setChannelsLast(boolean channelsLast) {
        this.channelsLast = channelsLast;
    }

    @Override
    public DropoutVertex clone() {
        return new DropoutVertex(p, wholeChannels, channelsLast);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DropoutVertex v
                && v.p == p
                && v.wholeChannels == wholeChannels
                && v.channelsLast == channelsLast;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(p) * 4 + (wholeChannels ? 2 : 0) + (channelsLast ? 1 : 0);
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
        if (vertexInputs.length != 1 || !(vertexInputs[0] instanceof InputType.InputTypeConvolutional)) {
            throw new InvalidInputTypeException(
                    "DropoutVertex takes one feature map, found " + Arrays.toString(vertexInputs));
        }
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, DropoutVertex.class, inputTypes[0], inputTypes[0])
                .standardMemory(0, 0)
                .workingMemory(0, 0, 0, 0)
                .cacheMemory(0, 0)
                .build();
    }

    /** The runtime vertex. */
    static final class Impl extends ParameterFreeVertex {
        private final DropoutVertex conf;
        /** The scaled keep mask of the last training forward pass, [N·C] or [N·H·W·C] row-major, for the backward pass. */
        private double[] mask;

        private long[] maskShape;

        Impl(ComputationGraph graph, String name, int index, DataType dataType, DropoutVertex conf) {
            super(graph, name, index, dataType);
            this.conf = conf;
        }

        private int channelAxis() {
            return conf.channelsLast ? 3 : 1;
        }

        /** The scaled keep mask of a training step, {@code size} entries. */
        double[] mask(int size) {
            SplittableRandom rng = StepRandom.of(graph, vertexName);
            double keep = 1.0 / (1.0 - conf.p);
            double[] m = new double[size];
            for (int i = 0; i < m.length; i++) {
                m[i] = rng.nextDouble() < conf.p ? 0 : keep;
            }
            return m;
        }

        private INDArray maskArray(DataType type) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Nd4j.createFromArray(mask).castTo(type).reshape('c', maskShape);
            }
        }

        /** out = x · mask, broadcast over the spatial axes for whole channels. */
        private void apply(INDArray x, INDArray out) {
            INDArray m = maskArray(x.dataType());
            if (conf.wholeChannels) {
                Nd4j.exec(new BroadcastMulOp(x, m, out, 0, channelAxis()));
            } else {
                out.assign(x).muli(m);
            }
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward()) {
                throw new IllegalStateException("DropoutVertex " + vertexName + ": input not set");
            }
            INDArray x = inputs[0];
            if (x.rank() != 4) {
                throw new IllegalStateException(
                        "DropoutVertex " + vertexName + ": expected a 4-D map, found " + Arrays.toString(x.shape()));
            }
            if (!training || conf.p == 0) {
                mask = null;
                return workspaceMgr.dup(ArrayType.ACTIVATIONS, x);
            }
            maskShape = conf.wholeChannels
                    ? new long[] {x.size(0), x.size(channelAxis())}
                    : x.shape().clone();
            long size = 1;
            for (long d : maskShape) {
                size *= d;
            }
            mask = mask(Math.toIntExact(size));
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
            apply(x, out);
            return out;
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("DropoutVertex " + vertexName + ": epsilon not set");
            }
            INDArray grad;
            if (mask == null) {
                grad = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
            } else {
                grad = workspaceMgr.createUninitialized(
                        ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
                apply(epsilon, grad);
            }
            return new Pair<>(null, new INDArray[] {grad});
        }

        @Override
        public String toString() {
            return "DropoutVertex(name=\"" + vertexName + "\", p=" + conf.p + ", wholeChannels=" + conf.wholeChannels
                    + ")";
        }
    }
}
