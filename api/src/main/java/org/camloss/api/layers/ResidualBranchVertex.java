package org.camloss.api.layers;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.camloss.api.Choice;
import org.camloss.api.ResidualDrop;
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
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The end of a residual block whose branch is dropped (stochastic depth) or perturbed (ShakeDrop): inputs
 * {@code (branch, shortcut)} of one shape, output {@code shortcut + s · branch}, then a ReLU when {@code relu} (post-
 * activation blocks). The factor s is drawn per sample and training step as {@link ResidualDrop} defines it, from the
 * block's survival probability and the α and β ranges; at inference s is its expectation, the same for every sample.
 * In the backward pass the shortcut gets the incoming gradient (through the ReLU) and the branch s_backward times it
 * (s_backward = s for stochastic depth; b + β − b·β for ShakeDrop).
 *
 * <p>Masks come from {@code StepRandom}: the model's seed, this vertex's name and the iteration, so the runs are
 * reproducible. A bean (no-argument constructor, getters and setters) so that graph configurations with it survive JSON
 * serialisation; the class name is stored in model files.
 */
public class ResidualBranchVertex extends GraphVertex {
    private String mode = ResidualDrop.Mode.STOCHASTIC_DEPTH.id();
    private double survival = 1;
    private double alphaMin;
    private double alphaMax;
    private double betaMin;
    private double betaMax;
    private boolean relu;

    /** For JSON deserialisation. */
    public ResidualBranchVertex() {}

    /**
     * @param drop     the treatment (not {@link ResidualDrop.Mode#NONE}) and its ranges
     * @param survival p_l of this block, in (0, 1]
     * @param relu     whether a ReLU follows the sum
     */
    public ResidualBranchVertex(ResidualDrop drop, double survival, boolean relu) {
        if (drop.isNone()) {
            throw new IllegalArgumentException(
                    "a ResidualBranchVertex needs stochastic depth or ShakeDrop, found none");
        }
        if (!(survival > 0 && survival <= 1)) {
            throw new IllegalArgumentException("survival probability must be in (0, 1], found " + survival);
        }
        this.mode = drop.mode().id();
        this.survival = survival;
        this.alphaMin = drop.alphaMin();
        this.alphaMax = drop.alphaMax();
        this.betaMin = drop.betaMin();
        this.betaMax = drop.betaMax();
        this.relu = relu;
    }

    /** The treatment as in {@link ResidualDrop#mode()}. */
    public ResidualDrop drop() {
        ResidualDrop.Mode m = Choice.of(ResidualDrop.Mode.class, mode);
        return new ResidualDrop(m, m == ResidualDrop.Mode.NONE ? 1 : survival, alphaMin, alphaMax, betaMin, betaMax);
    }

    /** The branch's factor at inference, the expectation of its training factor. */
    public double inferenceScale() {
        return drop().inferenceScale(survival);
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    public double getSurvival() {
        return survival;
    }

    public void setSurvival(double survival) {
        this.survival = survival;
    }

    public double getAlphaMin() {
        return alphaMin;
    }

    public void setAlphaMin(double alphaMin) {
        this.alphaMin = alphaMin;
    }

    public double getAlphaMax() {
        return alphaMax;
    }

    public void setAlphaMax(double alphaMax) {
        this.alphaMax = alphaMax;
    }

    public double getBetaMin() {
        return betaMin;
    }

    public void setBetaMin(double betaMin) {
        this.betaMin = betaMin;
    }

    public double getBetaMax() {
        return betaMax;
    }

    public void setBetaMax(double betaMax) {
        this.betaMax = betaMax;
    }

    public boolean isRelu() {
        return relu;
    }

    public void setRelu(boolean relu) {
        this.relu = relu;
    }

    @Override
    public ResidualBranchVertex clone() {
        ResidualBranchVertex v = new ResidualBranchVertex();
        v.mode = mode;
        v.survival = survival;
        v.alphaMin = alphaMin;
        v.alphaMax = alphaMax;
        v.betaMin = betaMin;
        v.betaMax = betaMax;
        v.relu = relu;
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResidualBranchVertex v
                && v.mode.equals(mode)
                && v.survival == survival
                && v.alphaMin == alphaMin
                && v.alphaMax == alphaMax
                && v.betaMin == betaMin
                && v.betaMax == betaMax
                && v.relu == relu;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(mode, survival, alphaMin, alphaMax, betaMin, betaMax, relu);
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
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
        if (vertexInputs.length != 2
                || !Arrays.equals(vertexInputs[0].getShape(false), vertexInputs[1].getShape(false))
                || vertexInputs[0].getType() != vertexInputs[1].getType()) {
            throw new InvalidInputTypeException(
                    "ResidualBranchVertex takes a branch and a shortcut of one shape, found "
                            + Arrays.toString(vertexInputs));
        }
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, ResidualBranchVertex.class, inputTypes[0], inputTypes[0])
                .standardMemory(0, 0)
                .workingMemory(0, 0, 0, 0)
                .cacheMemory(0, 0)
                .build();
    }

    /** The runtime vertex. */
    static final class Impl extends ParameterFreeVertex {
        private final ResidualBranchVertex conf;
        private final boolean shake;
        /** The branch's backward factor per sample, from the last training forward pass. */
        private double[] backward;
        /** The output of the last training forward pass, for the ReLU's mask. */
        private INDArray output;

        Impl(ComputationGraph graph, String name, int index, DataType dataType, ResidualBranchVertex conf) {
            super(graph, name, index, dataType);
            this.conf = conf;
            this.shake = conf.drop().mode() == ResidualDrop.Mode.SHAKEDROP;
        }

        /**
         * The forward and backward factors of a training step: per sample, b ~ Bernoulli(survival), and for ShakeDrop
         * α and β uniform in their ranges.
         */
        double[][] factors(int n) {
            SplittableRandom rng = StepRandom.of(graph, vertexName);
            double[] forward = new double[n];
            double[] back = new double[n];
            for (int i = 0; i < n; i++) {
                boolean keep = rng.nextDouble() < conf.survival;
                if (shake) {
                    double alpha = conf.alphaMin + (conf.alphaMax - conf.alphaMin) * rng.nextDouble();
                    double beta = conf.betaMin + (conf.betaMax - conf.betaMin) * rng.nextDouble();
                    forward[i] = keep ? 1 : alpha;
                    back[i] = keep ? 1 : beta;
                } else {
                    forward[i] = keep ? 1 : 0;
                    back[i] = forward[i];
                }
            }
            return new double[][] {forward, back};
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward()) {
                throw new IllegalStateException("ResidualBranchVertex " + vertexName + ": inputs not set");
            }
            INDArray branch = inputs[0];
            INDArray shortcut = inputs[1];
            if (!Arrays.equals(branch.shape(), shortcut.shape())) {
                throw new IllegalStateException("ResidualBranchVertex " + vertexName + ": branch "
                        + Arrays.toString(branch.shape()) + " and shortcut " + Arrays.toString(shortcut.shape())
                        + " differ");
            }
            INDArray out =
                    workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, branch.dataType(), branch.shape(), 'c');
            if (training) {
                double[][] f = factors((int) branch.size(0));
                INDArray forward;
                try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    forward = Nd4j.createFromArray(f[0]).castTo(branch.dataType());
                }
                Nd4j.exec(new BroadcastMulOp(branch, forward, out, 0));
                backward = f[1];
            } else {
                out.assign(branch).muli(conf.inferenceScale());
                backward = null;
            }
            out.addi(shortcut);
            if (conf.relu) {
                Nd4j.exec(new RectifiedLinear(out, out, 0.0));
            }
            output = training ? out : null;
            return out;
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("ResidualBranchVertex " + vertexName + ": epsilon not set");
            }
            if (backward == null || output == null || !Arrays.equals(output.shape(), epsilon.shape())) {
                throw new IllegalStateException(
                        "ResidualBranchVertex " + vertexName + ": backward pass without a training forward pass");
            }
            INDArray g;
            if (conf.relu) {
                g = workspaceMgr.createUninitialized(
                        ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
                ReluBackward.apply(output, epsilon, g);
            } else {
                g = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
            }
            INDArray factors;
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                factors = Nd4j.createFromArray(backward).castTo(epsilon.dataType());
            }
            INDArray branchGrad = workspaceMgr.createUninitialized(
                    ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
            Nd4j.exec(new BroadcastMulOp(g, factors, branchGrad, 0));
            output = null;
            backward = null;
            return new Pair<>(null, new INDArray[] {branchGrad, g});
        }

        @Override
        public String toString() {
            return "ResidualBranchVertex(name=\"" + vertexName + "\", mode=" + conf.mode + ", survival=" + conf.survival
                    + ")";
        }
    }
}
