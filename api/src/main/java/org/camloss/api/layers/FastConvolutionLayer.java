package org.camloss.api.layers;

import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The implementation of {@link FastConvolution}: for NHWC data with the oneDNN helper, the forward pass hands
 * the input to the helper without DL4J's NCHW copy, and with an identity activation the backward pass hands
 * the incoming gradient straight to the helper's backward op instead of first recomputing the forward
 * convolution (and the copy). With another activation the forward convolution is recomputed as in DL4J, but
 * the activation's derivative stays NHWC and contiguous: DL4J M2.1 hands the helper a permuted view there
 * and gets wrong gradients (see {@code FastConvolutionTest}). For few channels the backward pass runs as two
 * oneDNN forward convolutions ({@link #backwardByForward}). When a {@link ConvolutionForward} or
 * {@link ConvolutionBackward} provider is on the class path (the engine's oneDNN primitives, cached per geometry),
 * the forward and backward passes of NHWC float convolutions run on it instead of libnd4j's ops
 * ({@value #FORWARD_PROPERTY} and {@value #BACKWARD_PROPERTY} {@code =dl4j} switch them back). NCHW, no helper or
 * double precision run DL4J's code. Inside a {@link FoldedInference} scope, a convolution paired with the batch norm
 * that follows it runs both in its inference pass ({@link #activate(boolean, LayerWorkspaceMgr)}).
 */
public class FastConvolutionLayer extends ConvolutionLayer {
    /** Channel limit of {@link #backwardByForward}. */
    static final int MAX_CHANNELS_BACKWARD_BY_FORWARD = 16;
    /** Map size (H·W) from which {@link #backwardByForward} applies with more than 3 input channels. */
    static final long MIN_PIXELS_BACKWARD_BY_FORWARD = 32 * 32;

    /**
     * System property that selects the backward pass of NHWC float convolutions: {@code dl4j} runs DL4J's
     * {@code conv2d_bp} (or {@link #backwardByForward}) even when a {@link ConvolutionBackward} provider is present;
     * unset or anything else uses the provider. Read at every backward pass.
     */
    public static final String BACKWARD_PROPERTY = "camloss.convolution.backward";

    /**
     * System property that selects the forward pass of NHWC float convolutions: {@code dl4j} runs libnd4j's
     * {@code conv2d} (its oneDNN helper) even when a {@link ConvolutionForward} provider is present; unset or anything
     * else uses the provider. Read at every forward pass.
     */
    public static final String FORWARD_PROPERTY = "camloss.convolution.forward";

    /**
     * System property for folded inference ({@link FoldedInference}): {@code workspace} puts a folded convolution's
     * output in DL4J's activations workspace as Change 14 did (the batch norm, and every layer after it, then copies it
     * into its own workspace, and no residual add is fused); unset or anything else writes it to one of a few buffers
     * outside workspaces shared by the graph's folded convolutions ({@link OutputSlots}), which the following vertices
     * read without copying. Read at every pass.
     */
    public static final String OUTPUT_BUFFERS_PROPERTY = "camloss.inference.outputBuffers";

    /**
     * System property for folded inference: {@code false} leaves a residual block's add and ReLU to its
     * {@link AddReluVertex}; unset or anything else fuses them into the block's last folded convolution where
     * {@link FoldedInference} found one (a sum and a ReLU post-op, written into the shortcut's own buffer where that is
     * a folded output nothing reads afterwards, else into the convolution's buffer with the shortcut copied there
     * first). Read when a scope opens (which outputs share a buffer) and at every pass.
     */
    public static final String FUSE_RESIDUAL_PROPERTY = "camloss.inference.fuseResidual";

    private static final int MAX_PLANS = 8;

    private final NativePasses.Plans<ConvolutionBackward.Geometry, ConvolutionBackward.Plan> plans =
            new NativePasses.Plans<>(MAX_PLANS, ConvolutionBackward.Plan::describe);
    private ConvolutionBackward.Geometry planGeometry;
    private ConvolutionBackward.Plan plan;
    private final NativePasses.Plans<ForwardKey, ConvolutionForward.Plan> forwardPlans =
            new NativePasses.Plans<>(MAX_PLANS, ConvolutionForward.Plan::describe);
    private ForwardKey forwardKey;
    private ConvolutionForward.Plan forwardPlan;
    private ConvolutionForward.Plan lastForward;
    /** The batch norm folded into this convolution's inference passes, set by {@link FoldedInference}; transient. */
    private FastBatchNormLayer foldTarget;
    /** What ran this layer's last pass folded (its plan, and how the ReLU was applied), or {@code null}. */
    private String lastFolded;
    /** The weights being folded, in Java (reused from pass to pass). */
    private float[] foldBuffer;
    /**
     * The residual add that may follow this convolution's batch norm, set by {@link FoldedInference} with the pair;
     * transient.
     */
    private Residual residual;
    /** The shortcut the last folded pass added (the residual add fused in), or {@code null}. */
    private INDArray lastShortcut;
    /** The graph's folded outputs' buffers ({@link OutputSlots}), kept from scope to scope; transient. */
    private OutputSlots slots;
    /** This layer's slot in them while paired, else −1. */
    private int slot = -1;
    /** The view of its slot's buffer that the last folded pass wrote, and that buffer. */
    private INDArray ownOutput;
    /** {@link #ownOutput} if this pass wrote it (set by every pass), else {@code null}. */
    private INDArray passOutput;
    /**
     * The pair whose output is this residual block's shortcut and whose slot this one shares, when the sum may be
     * written into the shortcut itself ({@link FoldedInference} proved nothing reads the shortcut after this
     * convolution but the add), else {@code null}.
     */
    private FastConvolutionLayer inPlaceOf;

    private INDArray ownOutputBase;
    /** Whether {@link #backpropGradient} computes the input gradient ({@link #setInputGradient}). */
    private boolean inputGradient = true;
    /** Whether the last backward pass returned no input gradient (for tests). */
    private boolean lastSkippedInputGradient;

    /** A forward plan's key: the geometry, whether it serves training, and whether it applies ReLU and adds. */
    private record ForwardKey(ConvolutionBackward.Geometry geometry, boolean training, boolean relu, boolean sum) {
        ForwardKey(ConvolutionBackward.Geometry geometry, boolean training, boolean relu) {
            this(geometry, training, relu, false);
        }
    }

    /** The add vertex after the paired batch norm, and the input edge on which the batch norm's output arrives. */
    private record Residual(AddReluVertex.Impl add, int edge) {}

    public FastConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fastPath() {
        return helper != null
                && helperCountFail == 0
                && dataType == DataType.FLOAT
                && layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC
                && input != null
                && input.rank() == 4;
    }

    /**
     * Pairs this convolution with {@code bn}, the batch norm that alone consumes its output, for folded inference;
     * {@code false} (and no pairing) when the two do not qualify: both NHWC, this layer's activation the identity, the
     * batch norm's the identity or a plain ReLU, matching channels. Called by {@link FoldedInference} only.
     */
    boolean pairWith(FastBatchNormLayer bn) {
        if (layerConf().getCnn2dDataFormat() != CNN2DFormat.NHWC
                || bn.layerConf().getCnn2DFormat() != CNN2DFormat.NHWC
                || !(layerConf().getActivationFn() instanceof ActivationIdentity)
                || !(bn.layerConf().getActivationFn() instanceof ActivationIdentity || bn.plainRelu())
                || bn.layerConf().getNOut() != layerConf().getNOut()) {
            return false;
        }
        foldTarget = bn;
        bn.foldFrom(this);
        return true;
    }

    /**
     * Lets this paired convolution end a residual block: its batch norm (identity activation) feeds only {@code add},
     * on input {@code edge}, and the add's other input is computed before this convolution runs. Called by
     * {@link FoldedInference} only, after {@link #pairWith}.
     */
    void residualWith(AddReluVertex.Impl add, int edge) {
        residual = new Residual(add, edge);
    }

    /** Gives this paired convolution slot {@code slot} of {@code slots} for its folded output. */
    void outputSlot(OutputSlots slots, int slot) {
        this.slots = slots;
        this.slot = slot;
    }

    /**
     * Lets this convolution, which ends a residual block ({@link #residualWith}), add into the shortcut's own array when
     * that is {@code owner}'s folded output of this pass; this layer then shares {@code owner}'s slot. Called by
     * {@link FoldedInference} only, which checked that nothing else reads the shortcut from this step on.
     */
    void sumInto(FastConvolutionLayer owner) {
        inPlaceOf = owner;
    }

    /** The pair whose output this one adds into in place ({@link #sumInto}), or {@code null}. */
    FastConvolutionLayer inPlaceOf() {
        return inPlaceOf;
    }

    /** This layer's slot while paired, else −1. */
    int slot() {
        return slot;
    }

    /** The graph's output slots, once a scope gave this layer one (kept after the scope). */
    OutputSlots outputSlots() {
        return slots;
    }

    /** Whether {@link #residualWith} was called for the current pairing. */
    boolean endsResidual() {
        return residual != null;
    }

    /** Ends the pairing made by {@link #pairWith}. */
    void unpair() {
        if (residual != null) {
            residual.add().expectFused(residual.edge(), null, null);
            residual = null;
        }
        lastShortcut = null;
        passOutput = null;
        inPlaceOf = null;
        slot = -1;
        if (foldTarget != null) {
            foldTarget.foldFrom(null);
            foldTarget = null;
        }
    }

    /** The batch norm this convolution is paired with, or {@code null}. */
    FastBatchNormLayer foldTarget() {
        return foldTarget;
    }

    /**
     * With a paired batch norm ({@link FoldedInference}), an inference pass runs the convolution with the batch norm
     * folded into its weights and bias (and its ReLU as the plan's post-op) and returns the batch norm's output, which
     * the batch norm then passes on; when this pass cannot fold ({@link #foldedForward}), or in training, it tells the
     * batch norm so and runs as before.
     */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        lastFolded = null;
        lastForward = null;
        lastShortcut = null;
        passOutput = null;
        FastBatchNormLayer bn = foldTarget;
        if (bn == null) {
            return super.activate(training, mgr);
        }
        INDArray folded = training ? null : foldedForward(bn, mgr);
        boolean summed = folded != null && lastShortcut != null;
        bn.expectFolded(folded, summed);
        if (residual != null) {
            residual.add().expectFused(residual.edge(), summed ? folded : null, summed ? lastShortcut : null);
        }
        return folded != null ? folded : super.activate(training, mgr);
    }

    /**
     * The inference output of this convolution followed by {@code bn} (and its activation), in one native convolution
     * whose weights and bias have the batch norm folded in; {@code null} when this pass must run unfused: the output
     * goes to the caller rather than to a workspace ({@code feedForward}, or a vertex asked for by
     * {@code output(List, ...)}), not the fast path (NCHW, double, no helper), {@value #FORWARD_PROPERTY}{@code =dl4j},
     * or no provider plan.
     */
    private INDArray foldedForward(FastBatchNormLayer bn, LayerWorkspaceMgr mgr) {
        if (!fastPath()
                || mgr.isScopedOut(ArrayType.ACTIVATIONS)
                || "dl4j".equals(System.getProperty(FORWARD_PROPERTY))
                || Providers.FORWARD.isEmpty()
                || input.dataType() != dataType) {
            return null;
        }
        ConvolutionForward provider = Providers.FORWARD.get();
        assertInputSet(false);
        validateInputRank();
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, false, mgr);
        validateInputDepth(weights.size(1));
        int[] outSize = outputSize(input);
        ConvolutionBackward.Geometry g = geometry(input, outSize[0], outSize[1], true);
        long cout = weights.size(0);
        long[] outShape = {input.size(0), outSize[0], outSize[1], cout};
        boolean own = slot >= 0 && !"workspace".equals(System.getProperty(OUTPUT_BUFFERS_PROPERTY));
        INDArray shortcut = own ? shortcut(outShape) : null;
        ConvolutionForward.Plan plan = null;
        boolean relu = bn.plainRelu();
        boolean reluInPlan = false;
        if (shortcut != null) {
            plan = forwardPlan(provider, new ForwardKey(g, false, true, true));
            reluInPlan = plan != null; // the add's ReLU (the batch norm has none, FoldedInference checked)
            if (plan == null) {
                shortcut = null;
            }
        }
        if (plan == null && relu) {
            plan = forwardPlan(provider, new ForwardKey(g, false, true));
            reluInPlan = plan != null;
        }
        if (plan == null) {
            plan = forwardPlan(provider, new ForwardKey(g, false, false));
        }
        if (plan == null) {
            return null;
        }
        INDArray w = mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, weights.shape(), 'c');
        INDArray shift = mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {cout}, 'c');
        INDArray bias = hasBias() ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, false, mgr) : null;
        fold(bn, dense(weights, ArrayType.FF_WORKING_MEM, mgr), bias, w, shift);

        INDArray x = dense(input, ArrayType.FF_WORKING_MEM, mgr);
        // into the shortcut itself where FoldedInference proved it safe and the shortcut is that pair's output of
        // this pass (shortcut() checked; the same slot); otherwise into this layer's slot, the shortcut copied there
        // first; a layer sharing the shortcut's slot that does not add into it in place writes to the workspace
        boolean inPlace = shortcut != null && inPlaceOf != null;
        if (inPlaceOf != null && !inPlace) {
            own = false;
        }
        INDArray out = inPlace
                ? shortcut
                : own ? ownOutput(outShape) : mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, outShape, 'c');
        INDArray scratch = plan.scratchLength() == 0
                ? null
                : mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {plan.scratchLength()}, 'c');
        if (shortcut != null && !inPlace) {
            out.assign(shortcut); // the sum post-op adds the convolution to it; the shortcut itself is not written
        }
        passOutput = own ? out : null;
        plan.forward(x, w, shift, out, scratch);
        if (relu && !reluInPlan) {
            Transforms.relu(out, false);
        }
        lastForward = plan;
        lastShortcut = shortcut;
        lastFolded = plan.describe()
                + (relu && !reluInPlan ? " + relu after" : "")
                + (shortcut == null ? "" : inPlace ? ", into the shortcut" : ", shortcut copied");
        return out;
    }

    /**
     * The residual block's shortcut, when this convolution ends one ({@link #residualWith}), the add is switched on
     * ({@value #FUSE_RESIDUAL_PROPERTY}) and the add's other input has been set in this pass with the output's shape
     * and type; else {@code null}.
     */
    private INDArray shortcut(long[] outShape) {
        if (residual == null || "false".equals(System.getProperty(FUSE_RESIDUAL_PROPERTY))) {
            return null;
        }
        INDArray s = residual.add().input(1 - residual.edge());
        if (s == null
                || s.dataType() != dataType
                || !java.util.Arrays.equals(s.shape(), outShape)
                || (inPlaceOf != null
                        && s != inPlaceOf.passOutput)) { // sharing that pair's slot: in place or not at all
            return null;
        }
        return s;
    }

    /** A view of this layer's output slot, outside workspaces, of {@code shape} (C order, from the slot's start). */
    private INDArray ownOutput(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        INDArray base = slots.buffer(slot, dataType, n);
        if (base != ownOutputBase || !java.util.Arrays.equals(ownOutput.shape(), shape)) {
            ownOutputBase = base;
            ownOutput = base.length() == n
                    ? base.reshape('c', shape)
                    : base.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n))
                            .reshape('c', shape);
            if (ownOutput.isAttached()) { // a copy in a workspace, not a view of the slot
                throw new IllegalStateException("FastConvolution layer '"
                        + layerConf().getLayerName() + "': the view of its output slot is a copy in a workspace");
            }
        }
        return ownOutput;
    }

    /**
     * Writes the folded weights {@code w = weights · scale[cout]} and bias {@code shift = (b − mean) · scale + β}, with
     * {@code scale = γ / √(var + ε)} from {@code bn}'s parameters and running statistics (the variance as its inference
     * uses it, {@link FastBatchNormLayer#runningVariance(int)}). In Java on the arrays' memory: the [cout] vectors and one
     * pass over the weights (≤ 37k floats here) cost less than the ten or so ND4J operations the same arithmetic takes
     * (about 0.1 ms per pair on this project's machine, FoldedInferenceTiming).
     */
    void fold(FastBatchNormLayer bn, INDArray weights, INDArray bias, INDArray w, INDArray shift) {
        int cout = (int) weights.size(0);
        int per = (int) (weights.length() / cout);
        float[] v = bn.runningVariance(cout);
        float[] gamma = Floats.read(bn.getParam(BatchNormalizationParamInitializer.GAMMA), cout);
        float[] beta = Floats.read(bn.getParam(BatchNormalizationParamInitializer.BETA), cout);
        float[] mean = Floats.read(bn.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN), cout);
        float[] b = bias == null ? null : Floats.read(bias, cout);
        double eps = bn.layerConf().getEps();
        if (foldBuffer == null || foldBuffer.length != weights.length()) {
            foldBuffer = new float[(int) weights.length()];
        }
        float[] wv = foldBuffer;
        Floats.read(weights, wv);
        float[] sh = new float[cout];
        for (int o = 0; o < cout; o++) {
            float scale = (float) (gamma[o] / Math.sqrt(v[o] + eps));
            sh[o] = ((b == null ? 0f : b[o]) - mean[o]) * scale + beta[o];
            for (int i = o * per, end = i + per; i < end; i++) {
                wv[i] *= scale;
            }
        }
        Floats.write(wv, w);
        Floats.write(sh, shift);
    }

    /** What ran this layer's last pass if it ran folded with its batch norm, else {@code null} (for tests). */
    String foldedDescription() {
        return lastFolded;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
        if (!fastPath()) {
            return super.preOutput(training, forBackprop, mgr);
        }
        assertInputSet(false);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, mgr);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, mgr);
        validateInputRank();
        INDArray in = input.castTo(dataType);
        validateInputDepth(weights.size(1));
        INDArray nat = nativeForward(in, weights, hasBias() ? bias : null, training, mgr);
        if (nat != null) {
            return new Pair<>(nat, null);
        }
        if (!hasBias()) {
            bias = zeroBias();
        }
        INDArray out = helper.preOutput(
                in,
                weights,
                bias,
                layerConf().getKernelSize(),
                layerConf().getStride(),
                padding(in),
                layerConf().getCudnnAlgoMode(),
                layerConf().getCudnnFwdAlgo(),
                convolutionMode,
                layerConf().getDilation(),
                CNN2DFormat.NHWC,
                mgr);
        return out == null ? super.preOutput(training, forBackprop, mgr) : new Pair<>(out, null);
    }

    /**
     * Whether the backward pass computes the gradient with respect to this layer's input (default: it does). The engine
     * turns it off for a convolution fed only by a network input in the graphs it trains
     * ({@code org.camloss.engine.model.InputGradients}): nothing reads the image's gradient there, and for ResNet-8's
     * 1→16 stem at 28×28 (batch 128) oneDNN's backward data pass costs 2.2 ms against 0.16 ms for its weights (PyTorch
     * skips it too: the image does not require a gradient). When off, and the pass runs on a
     * {@link ConvolutionBackward} provider with no input dropout, {@link #backpropGradient} returns {@code null} as the
     * input gradient, which DL4J M2.1's {@code ComputationGraph} accepts for a vertex whose input is a network input
     * with no other consumer; DL4J's own paths still compute it. Not part of the configuration: a copy of the layer (a
     * restored or cloned graph, a Grad-CAM tail) computes it again.
     *
     * @param needed {@code false} to skip the input gradient where the layer can
     */
    public void setInputGradient(boolean needed) {
        this.inputGradient = needed;
    }

    /** Whether the backward pass computes the input gradient ({@link #setInputGradient}). */
    public boolean inputGradient() {
        return inputGradient;
    }

    /** Whether the last backward pass returned {@code null} as its input gradient (for tests). */
    boolean lastSkippedInputGradient() {
        return lastSkippedInputGradient;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        lastSkippedInputGradient = false;
        if (!fastPath()) {
            return super.backpropGradient(epsilon, mgr);
        }
        assertInputSet(true);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, mgr);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, mgr);
        INDArray in = input.castTo(dataType);
        INDArray eps = epsilon.castTo(dataType);
        IActivation act = layerConf().getActivationFn();
        INDArray delta;
        if (act instanceof ActivationIdentity) {
            delta = eps; // dL/dz = dL/dy
        } else {
            // as DL4J: recompute z, but keep it and the product NHWC and contiguous (DL4J hands the helper a
            // permuted NCHW view here, and its weight gradients come out wrong)
            INDArray z = preOutput(true, true, mgr).getFirst();
            delta = act.backprop(z, eps).getFirst();
        }
        Pair<Gradient, INDArray> nat = nativeBackward(in, weights, delta, mgr);
        if (nat != null) {
            nat.setSecond(backpropDropOutIfPresent(nat.getSecond()));
            return nat;
        }
        if (backwardByForward(in, delta)) {
            Pair<Gradient, INDArray> ret = backwardByForwardConvolutions(in, weights, delta, mgr);
            ret.setSecond(backpropDropOutIfPresent(ret.getSecond()));
            return ret;
        }
        Pair<Gradient, INDArray> ret = helper.backpropGradient(
                in,
                weights,
                bias,
                delta,
                layerConf().getKernelSize(),
                layerConf().getStride(),
                padding(in),
                gradientViews.get(ConvolutionParamInitializer.BIAS_KEY),
                gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY),
                act,
                layerConf().getCudnnAlgoMode(),
                layerConf().getCudnnBwdFilterAlgo(),
                layerConf().getCudnnBwdDataAlgo(),
                convolutionMode,
                layerConf().getDilation(),
                CNN2DFormat.NHWC,
                mgr);
        if (ret == null) {
            return super.backpropGradient(epsilon, mgr);
        }
        ret.setSecond(backpropDropOutIfPresent(ret.getSecond()));
        return ret;
    }

    /**
     * The forward pass (convolution and bias, NHWC) on a {@link ConvolutionForward} provider (the engine's cached oneDNN
     * primitives), or {@code null} when there is none, it is switched off ({@value #FORWARD_PROPERTY}{@code =dl4j})
     * or it cannot plan this geometry; each such reason is logged once.
     */
    private INDArray nativeForward(
            INDArray in, INDArray weights, INDArray bias, boolean training, LayerWorkspaceMgr mgr) {
        lastForward = null;
        if ("dl4j".equals(System.getProperty(FORWARD_PROPERTY))) {
            return null;
        }
        ConvolutionForward provider = Providers.FORWARD.orElse(null);
        if (provider == null) {
            return null;
        }
        int[] outSize = outputSize(in);
        ForwardKey key = new ForwardKey(geometry(in, outSize[0], outSize[1]), training, false);
        ConvolutionForward.Plan plan;
        if (key.equals(forwardKey)) {
            plan = forwardPlan;
        } else {
            plan = forwardPlan(provider, key);
            forwardKey = key;
            forwardPlan = plan;
        }
        if (plan == null) {
            return null;
        }
        INDArray x = dense(in, ArrayType.FF_WORKING_MEM, mgr);
        INDArray wts = dense(weights, ArrayType.FF_WORKING_MEM, mgr);
        INDArray b = bias == null ? null : dense(bias, ArrayType.FF_WORKING_MEM, mgr);
        INDArray out = mgr.createUninitialized(
                ArrayType.ACTIVATIONS, dataType, new long[] {in.size(0), outSize[0], outSize[1], weights.size(0)}, 'c');
        INDArray scratch = plan.scratchLength() == 0
                ? null
                : mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {plan.scratchLength()}, 'c');
        plan.forward(x, wts, b, out, scratch);
        lastForward = plan;
        return out;
    }

    private int[] outputSize(INDArray in) {
        return ConvolutionUtils.getOutputSize(
                in,
                layerConf().getKernelSize(),
                layerConf().getStride(),
                convolutionMode == ConvolutionMode.Same ? null : layerConf().getPadding(),
                convolutionMode,
                layerConf().getDilation(),
                CNN2DFormat.NHWC);
    }

    /** The cached plan for {@code key}, made on first use; {@code null} (also cached) when the provider has none. */
    private ConvolutionForward.Plan forwardPlan(ConvolutionForward provider, ForwardKey key) {
        return forwardPlans.get(
                key,
                () -> provider.plan(key.geometry(), key.training(), key.relu(), key.sum()),
                provider.name(),
                "the forward pass of convolution",
                "libnd4j's conv2d");
    }

    /** What ran this layer's last forward pass if it was native, else {@code null} (for tests). */
    String nativeForwardDescription() {
        return lastForward == null ? null : lastForward.describe();
    }

    /**
     * The backward pass on a {@link ConvolutionBackward} provider (the engine's oneDNN primitives), or {@code null}
     * when there is none, it is switched off ({@value #BACKWARD_PROPERTY}{@code =dl4j}) or it cannot plan this
     * geometry; each such reason is logged once.
     */
    private Pair<Gradient, INDArray> nativeBackward(
            INDArray in, INDArray weights, INDArray delta, LayerWorkspaceMgr mgr) {
        if ("dl4j".equals(System.getProperty(BACKWARD_PROPERTY))) {
            return null;
        }
        ConvolutionBackward provider = Providers.BACKWARD.orElse(null);
        if (provider == null) {
            return null;
        }
        ConvolutionBackward.Geometry g = geometry(in, delta.size(1), delta.size(2));
        ConvolutionBackward.Plan plan;
        if (g.equals(planGeometry)) {
            plan = this.plan;
        } else {
            plan = plans.get(g, () -> provider.plan(g), provider.name(), "the backward pass of convolution", "DL4J's");
            planGeometry = g;
            this.plan = plan;
        }
        if (plan == null) {
            return null;
        }
        INDArray x = dense(in, ArrayType.BP_WORKING_MEM, mgr);
        INDArray dy = dense(delta, ArrayType.BP_WORKING_MEM, mgr);
        INDArray wts = dense(weights, ArrayType.BP_WORKING_MEM, mgr);
        boolean skipInput = !inputGradient && layerConf().getIDropout() == null;
        INDArray dx = skipInput ? null : mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
        INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray biasGrad = hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
        INDArray scratch = plan.scratchLength() == 0
                ? null
                : mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {plan.scratchLength()}, 'c');
        plan.backward(x, wts, dy, dx, weightGrad, biasGrad, scratch);
        Gradient grad = new DefaultGradient();
        if (biasGrad != null) {
            grad.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGrad);
        }
        grad.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGrad);
        lastSkippedInputGradient = skipInput;
        return new Pair<>(grad, dx);
    }

    /** What ran this layer's last native backward pass, or {@code null} if none did (for tests). */
    String nativeBackwardDescription() {
        return plan == null ? null : plan.describe();
    }

    private ConvolutionBackward.Geometry geometry(INDArray in, long oh, long ow) {
        return geometry(in, oh, ow, hasBias());
    }

    private ConvolutionBackward.Geometry geometry(INDArray in, long oh, long ow, boolean bias) {
        int[] k = layerConf().getKernelSize();
        int[] s = layerConf().getStride();
        int[] d = layerConf().getDilation();
        int[] pad = padding(in);
        long h = in.size(1);
        long w = in.size(2);
        int padBottom;
        int padRight;
        if (convolutionMode == ConvolutionMode.Same) {
            // the rest of the total padding the output size needs (DL4J puts the smaller half top/left)
            padBottom = (int) Math.max(0, (oh - 1) * s[0] + (long) (k[0] - 1) * d[0] + 1 - h - pad[0]);
            padRight = (int) Math.max(0, (ow - 1) * s[1] + (long) (k[1] - 1) * d[1] + 1 - w - pad[1]);
        } else {
            padBottom = pad[0];
            padRight = pad[1];
        }
        return new ConvolutionBackward.Geometry(
                in.size(0),
                h,
                w,
                in.size(3),
                oh,
                ow,
                layerConf().getNOut(),
                k[0],
                k[1],
                s[0],
                s[1],
                d[0],
                d[1],
                pad[0],
                pad[1],
                padBottom,
                padRight,
                bias);
    }

    /** {@code a} itself when its elements are C-order contiguous, else a contiguous copy in working memory. */
    private INDArray dense(INDArray a, ArrayType workingMemory, LayerWorkspaceMgr mgr) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        boolean ok = true;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                ok = false;
                break;
            }
            expected *= shape[i];
        }
        if (ok) {
            return a;
        }
        INDArray c = mgr.createUninitialized(workingMemory, a.dataType(), shape, 'c');
        c.assign(a);
        return c;
    }

    /** The providers of native passes, looked up once per process. */
    private static final class Providers {
        static final Optional<ConvolutionBackward> BACKWARD = NativePasses.load(
                ConvolutionBackward.class, ConvolutionBackward::name, "convolution backward pass", "DL4J's conv2d_bp");
        static final Optional<ConvolutionForward> FORWARD = NativePasses.load(
                ConvolutionForward.class, ConvolutionForward::name, "convolution forward pass", "libnd4j's conv2d");
    }

    /**
     * Whether the backward pass runs as two oneDNN forward convolutions: libnd4j M2.1's {@code conv2d_bp} has no
     * oneDNN path, and its generic one (im2col, gemm, col2im) is slow for few channels on large maps. Measured
     * on this project's machine (batch 128, 3×3, 2 threads; generic vs two forward convolutions, ms):
     * 16→16 channels at 32×32 23.3 vs 14.8, 3→16 at 32×32 21.0 vs 10.1, 1→16 at 28×28 6.6 vs 5.0, but
     * 16→16 at 28×28 7.8 vs 10.3, 32→32 at 16×16 6.7 vs 12.2 and 64→64 at 8×8 3.0 vs 6.2. So: stride 1, no
     * dilation, {@code Same} mode, an odd square kernel, at most 16 channels in and out, and a map of at
     * least 32×32 pixels or at most 3 input channels. A fixed rule rather than timing both at run time, so
     * that a run's arithmetic does not depend on the machine's load.
     */
    boolean backwardByForward(INDArray in, INDArray delta) {
        int[] k = layerConf().getKernelSize();
        int[] s = layerConf().getStride();
        int[] d = layerConf().getDilation();
        return convolutionMode == ConvolutionMode.Same
                && s[0] == 1
                && s[1] == 1
                && d[0] == 1
                && d[1] == 1
                && k[0] == k[1]
                && k[0] % 2 == 1
                && in.size(3) <= MAX_CHANNELS_BACKWARD_BY_FORWARD
                && delta.size(3) <= MAX_CHANNELS_BACKWARD_BY_FORWARD
                && delta.size(1) == in.size(1)
                && delta.size(2) == in.size(2)
                && (in.size(1) * in.size(2) >= MIN_PIXELS_BACKWARD_BY_FORWARD || in.size(3) <= 3);
    }

    /**
     * The weight gradient as a convolution of the input seen as [C_in, H, W, N] with the output gradient seen as
     * an [H, W, N, C_out] kernel (padding (k−1)/2, output [C_in, k, k, C_out]); the input gradient as a
     * {@code Same} convolution of the output gradient with the kernel flipped in both spatial axes and its
     * channel axes swapped; the bias gradient as per-channel sums of the output gradient.
     */
    private Pair<Gradient, INDArray> backwardByForwardConvolutions(
            INDArray in, INDArray weights, INDArray delta, LayerWorkspaceMgr mgr) {
        long n = in.size(0);
        long h = in.size(1);
        long w = in.size(2);
        long ci = in.size(3);
        long co = delta.size(3);
        int k = layerConf().getKernelSize()[0];
        int p = (k - 1) / 2;
        INDArray xt = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {ci, h, w, n}, 'c');
        xt.assign(in.permute(3, 1, 2, 0));
        INDArray gt = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {h, w, n, co}, 'c');
        gt.assign(delta.permute(1, 2, 0, 3));
        INDArray gw = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {ci, k, k, co}, 'c');
        conv2d(xt, gt, gw, (int) h, (int) w, p, false);
        INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY); // [C_out, C_in, k, k]
        weightGrad.assign(gw.permute(3, 0, 1, 2));

        // flipped kernel, [k, k, C_out, C_in]: wf[a, b, o, i] = W[o, i, k-1-a, k-1-b] (a few thousand values)
        float[] wv = weights.dup('c').reshape(weights.length()).toFloatVector();
        float[] fv = new float[wv.length];
        for (int o = 0; o < co; o++) {
            for (int i = 0; i < ci; i++) {
                for (int a = 0; a < k; a++) {
                    for (int b = 0; b < k; b++) {
                        fv[(int) (((a * k + b) * co + o) * ci + i)] =
                                wv[(int) (((o * ci + i) * k + (k - 1 - a)) * k + (k - 1 - b))];
                    }
                }
            }
        }
        INDArray wf = Nd4j.createFromArray(fv).reshape('c', k, k, co, ci);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
        conv2d(delta, wf, dx, k, k, p, true);

        Gradient g = new DefaultGradient();
        if (hasBias()) {
            INDArray biasGrad = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            biasGrad.assign(delta.reshape('c', n * h * w, co).sum(0).reshape(biasGrad.shape()));
            g.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGrad);
        }
        g.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGrad);
        return new Pair<>(g, dx);
    }

    /** libnd4j's {@code conv2d} (oneDNN) on NHWC data with a [kH, kW, C_in, C_out] kernel, stride 1. */
    private static void conv2d(
            INDArray input, INDArray kernel, INDArray output, int kh, int kw, int pad, boolean sameMode) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(input, kernel)
                .addOutputs(output)
                .addIntegerArguments(kh, kw, 1, 1, pad, pad, 1, 1, sameMode ? 1 : 0, 1, 0)
                .build());
    }

    /** Top-left padding, from the NHWC sizes (as DL4J computes it from its NCHW copy). */
    private int[] padding(INDArray nhwc) {
        int[] kernel = layerConf().getKernelSize();
        int[] strides = layerConf().getStride();
        int[] dilation = layerConf().getDilation();
        if (convolutionMode == ConvolutionMode.Same) {
            int[] outSize = ConvolutionUtils.getOutputSize(
                    nhwc, kernel, strides, null, convolutionMode, dilation, CNN2DFormat.NHWC);
            return ConvolutionUtils.getSameModeTopLeftPadding(
                    outSize, new int[] {(int) nhwc.size(1), (int) nhwc.size(2)}, kernel, strides, dilation);
        }
        return layerConf().getPadding();
    }

    /** For bias-free convolutions the helper takes a zero bias (as in DL4J's layer). */
    private INDArray zeroBias() {
        if (dummyBias == null) {
            try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                dummyBias = Nd4j.create(dataType, 1, layerConf().getNOut());
            }
        }
        return dummyBias;
    }
}
