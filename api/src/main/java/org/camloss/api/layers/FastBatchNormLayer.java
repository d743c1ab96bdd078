package org.camloss.api.layers;

import java.util.Arrays;
import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SquaredDifferenceOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The implementation of {@link FastBatchNorm}: batch normalisation whose per-channel reductions run as matrix
 * products and whose broadcasts run in place on arrays of the layer workspace, followed by the layer's
 * activation.
 *
 * <p>For channels-last data (NHWC, or rank 2) the input is a contiguous {@code [M, C]} matrix with
 * {@code M = N·H·W}, so a per-channel sum is {@code ones[1, M] · X}, one BLAS call; for NCHW it is two
 * ({@code [N·C, H·W] · ones}, then over {@code N}). libnd4j's own batch norm computes the variance with a
 * generic strided reduction and its backward op is heavy: on this project's machine it was about 43 % of a
 * ResNet-8 training step (see docs/performance.md).
 *
 * <p>Forward (training): {@code μ = mean(x)}, {@code σ² = mean((x - μ)²)} (biased, as DL4J),
 * {@code y = act(γ (x - μ) / sqrt(σ² + ε) + β)}, the normalisation in one pass by libnd4j's batchnorm op
 * (oneDNN's kernel for float) given these statistics, the activation in place. Inference uses the running statistics. Backward, with
 * {@code x̂ = (x - μ) / σ}, {@code σ = sqrt(σ² + ε)} and {@code g = act'(z) · dL/dy} (z recomputed from the
 * input): {@code dβ = Σ g}, {@code dγ = Σ g x̂ = (Σ g x - μ dβ) / σ},
 * {@code dx = γ / σ · (g - dβ / M - x̂ dγ / M)}, the last as a batchnorm pass over x (scale
 * {@code -γ dγ / (σ M)}, shift {@code -γ dβ / (σ M)}) plus {@code γ / σ · g}: six passes over the array
 * with a ReLU, four without. The
 * running statistics are updated exactly as DL4J does it: as a "gradient" of the {@code mean} and
 * {@code log10stdev} (or {@code var}) parameters that a no-op updater subtracts.
 *
 * <p>Training passes of NHWC float data whose activation is a plain ReLU or the identity run on a
 * {@link BatchNormTraining} provider where one is on the class path (the engine's oneDNN batch-normalization
 * primitives, ReLU fused, plans cached per geometry), unless {@value #PROPERTY}{@code =dl4j}: the provider computes
 * the batch statistics, the output, and in the backward pass dx, dγ and dβ; this layer still updates the running
 * statistics from the batch statistics as above. Inference, NCHW, rank 2, double and other activations stay here.
 */
public class FastBatchNormLayer extends BatchNormalization {
    /**
     * System property: {@code dl4j} keeps training passes on this layer's own path (matrix-product sums, libnd4j's
     * batchnorm op) even when a {@link BatchNormTraining} provider is present; unset or anything else uses the provider
     * for NHWC float data with a plain ReLU or the identity. Read at every training forward pass.
     */
    public static final String PROPERTY = "camloss.batchnorm";

    /** Whether the provider runs when {@value #PROPERTY} is unset. */
    static final boolean NATIVE_BY_DEFAULT = true;

    private static final int MAX_PLANS = 8;

    /** Native plans by geometry ({@code null} values: the provider declined or failed). */
    private final NativePasses.Plans<BatchNormTraining.Geometry, BatchNormTraining.Plan> plans =
            new NativePasses.Plans<>(MAX_PLANS, BatchNormTraining.Plan::describe);
    /** The plan of the last training forward pass if it ran natively, else {@code null}; the backward pass uses it. */
    private BatchNormTraining.Plan trainedOn;
    /** Its geometry. */
    private BatchNormTraining.Geometry trainedGeometry;
    /** The state the native forward pass keeps for the backward pass (the ReLU mask), outside workspaces. */
    private INDArray nativeWorkspace;
    /** What ran the last training pass (forward, then backward), for tests. */
    private String lastTrainingForward;

    private String lastTrainingBackward;

    /** Batch statistics of the last training forward pass, [1, C], kept outside workspaces. */
    private INDArray batchMean;

    private INDArray batchVar;
    private INDArray batchInvStd;
    /** The sources and [1, C] views of {@link #cachedRow}. */
    private final INDArray[] rowSources = new INDArray[4];

    private final INDArray[] rows = new INDArray[4];
    /** Whether {@link #batchInvStd} has not been computed from the latest batch statistics. */
    private boolean invStdStale;
    /** A row of ones, [1, K], outside workspaces; views of it are the reduction vectors. */
    private INDArray ones;
    /** The convolution folded into this layer's inference passes ({@link FoldedInference}), or {@code null}. */
    private FastConvolutionLayer foldedFrom;
    /** The array that convolution returned folded in its latest pass, until this layer's next input. */
    private INDArray expected;
    /** Whether the current input is that array: the batch norm has been applied already. */
    private boolean passThrough;
    /** Whether that array also holds the residual add and ReLU that follow this layer (then it is not this layer's). */
    private boolean expectedResidual;

    private boolean passThroughResidual;

    public FastBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** No libnd4j or oneDNN helper is used. */
    @Override
    public LayerHelper getHelper() {
        return null;
    }

    /**
     * Sets the input and notes whether it is the array the paired convolution returned folded in this pass (object
     * identity, before DL4J's workspace move of the input could copy it); that convolution folded, but this is another
     * array, fails: the batch norm has been applied to it already, and applying it again would be silently wrong.
     */
    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        INDArray folded = expected;
        expected = null;
        passThrough = folded != null && input == folded;
        passThroughResidual = passThrough && expectedResidual;
        if (folded != null && !passThrough && input != null) {
            throw new IllegalStateException(
                    "FastBatchNorm layer '" + layerConf().getLayerName()
                            + "': its convolution ran with this batch norm folded in, but the batch norm was given another"
                            + " array than the convolution's output (shape " + Arrays.toString(input.shape()) + ")");
        }
        super.setInput(input, workspaceMgr);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (passThrough) {
            if (training) {
                throw new IllegalStateException("FastBatchNorm layer '"
                        + layerConf().getLayerName() + "': a training pass on the output of a folded inference pass");
            }
            boolean toCaller = workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS);
            if (passThroughResidual && toCaller) {
                throw new IllegalStateException(
                        "FastBatchNorm layer '" + layerConf().getLayerName()
                                + "': its activation was asked for inside a FoldedInference scope, but its convolution ran with"
                                + " the residual add and ReLU after this batch norm fused in; ask for the add vertex's"
                                + " activation, or run outside the scope");
            }
            if (!input.isAttached()) {
                // the convolution's own output buffer (outside workspaces, rewritten by its next pass): handed on as
                // it is, copied only for a caller that asked for this activation
                return toCaller ? workspaceMgr.dup(ArrayType.ACTIVATIONS, input) : input;
            }
            return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
        }
        return preOutput(input, training ? TrainingMode.TRAIN : TrainingMode.TEST, workspaceMgr);
    }

    /** Set by {@link FastConvolutionLayer#pairWith} and {@code unpair}: the convolution folded into this layer. */
    void foldFrom(FastConvolutionLayer conv) {
        foldedFrom = conv;
        expected = null;
        expectedResidual = false;
        passThrough = false;
        passThroughResidual = false;
    }

    /**
     * Called by the paired convolution in every pass: the array it returned folded, or {@code null} if it did not, and
     * whether that array also has the residual add and ReLU after this layer applied.
     */
    void expectFolded(INDArray folded, boolean residual) {
        expected = folded;
        expectedResidual = residual;
    }

    /** Whether this layer's current input is its convolution's folded output, passed on untouched (for tests). */
    boolean passedThrough() {
        return passThrough && foldedFrom != null;
    }

    /** Whether this layer's activation is a plain ReLU (no threshold, cap or slope). */
    boolean plainRelu() {
        return isPlainRelu(layerConf().getActivationFn());
    }

    /**
     * The running variance as this layer's inference uses it ({@link #runningVar}: the {@code var} parameter, or
     * {@code 10^(2·log10(std))}, here in double rounded to float where libnd4j's {@code pow} works in float: within
     * an ulp), in Java, for the fold into a convolution.
     */
    float[] runningVariance(int c) {
        if (layerConf().isUseLogStd()) {
            float[] v = Floats.read(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD), c);
            for (int i = 0; i < c; i++) {
                v[i] = (float) Math.pow(100.0, v[i]);
            }
            return v;
        }
        return Floats.read(getParam(BatchNormalizationParamInitializer.GLOBAL_VAR), c);
    }

    @Override
    public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr mgr) {
        Layout l = layout(x);
        x = contiguous(x.castTo(dataType), mgr, ArrayType.FF_WORKING_MEM);
        INDArray gamma = cachedRow(0, getParam(BatchNormalizationParamInitializer.GAMMA));
        INDArray beta = cachedRow(1, getParam(BatchNormalizationParamInitializer.BETA));
        double eps = layerConf().getEps();

        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
        if (training == TrainingMode.TRAIN) {
            ensureCaches(l.c);
            trainedOn = null;
            BatchNormTraining.Plan plan = nativePlan(x, l);
            if (plan != null) {
                long wsLength = plan.workspaceLength();
                INDArray ws = null;
                if (wsLength > 0) {
                    if (nativeWorkspace == null || nativeWorkspace.length() != wsLength) {
                        nativeWorkspace = null;
                        try (MemoryWorkspace w = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                            nativeWorkspace = Nd4j.createUninitialized(DataType.FLOAT, wsLength);
                        }
                    }
                    ws = nativeWorkspace;
                }
                plan.forward(x, gamma, beta, out, batchMean, batchVar, ws);
                invStdStale = true; // only this layer's own backward path reads it: computed there if it runs
                trainedOn = plan;
                trainedGeometry = geometry(x, l);
                lastTrainingForward = plan.describe();
                // the activation (identity or ReLU) has been applied by the plan
                return mgr.leverageTo(ArrayType.ACTIVATIONS, out);
            }
            lastTrainingForward = "dl4j";
            INDArray xv = l.view(x);
            INDArray mean = mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, 1, l.c);
            channelSum(l, xv, mean, mgr, ArrayType.FF_WORKING_MEM);
            mean.muli(1.0 / l.m);
            INDArray sq = mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, xv.shape(), 'c');
            // (x - μ)², numpy-style broadcast of μ over the rows ([M, C]) or the sample and pixel axes (NCHW)
            Nd4j.exec(new SquaredDifferenceOp(xv, l.channelsLast ? mean : mean.reshape(1, l.c, 1, 1), sq));
            INDArray var = mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, 1, l.c);
            channelSum(l, sq, var, mgr, ArrayType.FF_WORKING_MEM);
            var.muli(1.0 / l.m);
            batchMean.assign(mean);
            batchVar.assign(var);
            Transforms.pow(batchInvStd.assign(var).addi(eps), -0.5, false);
            invStdStale = false;
            normalise(l, x, batchMean, batchVar, gamma, beta, eps, out);
        } else {
            trainedOn = null;
            INDArray mean = row(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
            normalise(l, x, mean, runningVar(mgr), gamma, beta, eps, out);
        }
        INDArray activated = layerConf().getActivationFn().getActivation(out, training == TrainingMode.TRAIN);
        return mgr.leverageTo(ArrayType.ACTIVATIONS, activated);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        if (batchMean == null) {
            throw new IllegalStateException("FastBatchNorm layer '"
                    + layerConf().getLayerName() + "': backpropagation without a training forward pass");
        }
        Layout l = layout(input);
        INDArray x = contiguous(input.castTo(dataType), mgr, ArrayType.BP_WORKING_MEM);
        INDArray dy = contiguous(epsilon.castTo(dataType), mgr, ArrayType.BP_WORKING_MEM);
        INDArray gamma = cachedRow(0, getParam(BatchNormalizationParamInitializer.GAMMA));
        INDArray beta = cachedRow(1, getParam(BatchNormalizationParamInitializer.BETA));

        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        if (trainedOn != null && x.rank() == 4 && l.channelsLast && trainedGeometry.equals(geometry(x, l))) {
            INDArray dGammaView = cachedRow(2, gradientViews.get(BatchNormalizationParamInitializer.GAMMA));
            INDArray dBetaView = cachedRow(3, gradientViews.get(BatchNormalizationParamInitializer.BETA));
            trainedOn.backward(x, dy, gamma, beta, batchMean, batchVar, nativeWorkspace, dx, dGammaView, dBetaView);
            lastTrainingBackward = trainedOn.describe();
            Gradient gradient = new DefaultGradient();
            gradient.setGradientFor(
                    BatchNormalizationParamInitializer.GAMMA,
                    gradientViews.get(BatchNormalizationParamInitializer.GAMMA));
            gradient.setGradientFor(
                    BatchNormalizationParamInitializer.BETA,
                    gradientViews.get(BatchNormalizationParamInitializer.BETA));
            runningStatisticsUpdate(gradient);
            return new Pair<>(gradient, dx);
        }
        lastTrainingBackward = "dl4j";
        if (invStdStale) { // the forward pass ran on the provider's plan, which does not compute it
            Transforms.pow(batchInvStd.assign(batchVar).addi(layerConf().getEps()), -0.5, false);
            invStdStale = false;
        }
        INDArray xv = l.view(x);
        INDArray dyv = l.view(dy);
        INDArray dxv = l.view(dx);
        // g = act'(z) · dL/dy, computed in dx where the activation is not the identity
        IActivation act = layerConf().getActivationFn();
        INDArray g;
        if (act instanceof ActivationIdentity) {
            g = dyv;
        } else {
            normalise(l, x, batchMean, batchVar, gamma, beta, layerConf().getEps(), dx); // z
            if (isPlainRelu(act)) {
                ReluBackward.apply(dxv, dyv, dxv);
            } else {
                INDArray d = act.backprop(dxv, dyv).getFirst();
                if (d != dxv) {
                    dxv.assign(d);
                }
            }
            g = dxv;
        }

        // dβ = Σ g; dγ = Σ g x̂ = (Σ g x - μ Σ g) / σ, from the input itself (x̂ is never materialised)
        INDArray dBeta = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, 1, l.c);
        channelSum(l, g, dBeta, mgr, ArrayType.BP_WORKING_MEM);
        INDArray work = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
        INDArray workv = l.view(work);
        Nd4j.exec(new MulOp(g, xv, workv));
        INDArray dGamma = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, 1, l.c);
        channelSum(l, workv, dGamma, mgr, ArrayType.BP_WORKING_MEM);
        dGamma.subi(batchMean.mul(dBeta)).muli(batchInvStd);

        // dx = γ/σ · (g - dβ/M - x̂·dγ/M) = a·g + (b·x̂ + c) with a = γ/σ, b = -a·dγ/M, c = -a·dβ/M;
        // b·x̂ + c is one batchnorm pass over x with scale b and shift c
        INDArray a = gamma.mul(batchInvStd);
        INDArray b = a.mul(dGamma).muli(-1.0 / l.m);
        INDArray c = a.mul(dBeta).muli(-1.0 / l.m);
        normalise(l, x, batchMean, batchVar, b, c, layerConf().getEps(), work);
        Nd4j.exec(new BroadcastMulOp(g, a, dxv, l.ch));
        Nd4j.exec(new AddOp(dxv, workv, dxv));

        Gradient gradient = new DefaultGradient();
        INDArray dGammaView = cachedRow(2, gradientViews.get(BatchNormalizationParamInitializer.GAMMA));
        INDArray dBetaView = cachedRow(3, gradientViews.get(BatchNormalizationParamInitializer.BETA));
        dGammaView.assign(dGamma);
        dBetaView.assign(dBeta);
        gradient.setGradientFor(
                BatchNormalizationParamInitializer.GAMMA, gradientViews.get(BatchNormalizationParamInitializer.GAMMA));
        gradient.setGradientFor(
                BatchNormalizationParamInitializer.BETA, gradientViews.get(BatchNormalizationParamInitializer.BETA));
        runningStatisticsUpdate(gradient);
        return new Pair<>(gradient, dx);
    }

    /**
     * The provider's plan for this training pass, or {@code null} for this layer's own path: switched off
     * ({@value #PROPERTY}{@code =dl4j}), no provider, not NHWC rank 4 float, an activation other than a plain ReLU or
     * the identity, or the provider declined (or failed at) this geometry, which is logged once.
     */
    private BatchNormTraining.Plan nativePlan(INDArray x, Layout l) {
        if (!nativeRequested()
                || !l.channelsLast
                || x.rank() != 4
                || dataType != DataType.FLOAT
                || x.dataType() != DataType.FLOAT) {
            return null;
        }
        IActivation act = layerConf().getActivationFn();
        if (!(act instanceof ActivationIdentity) && !isPlainRelu(act)) {
            return null;
        }
        BatchNormTraining provider = Providers.TRAINING.orElse(null);
        if (provider == null) {
            return null;
        }
        BatchNormTraining.Geometry g = geometry(x, l);
        return plans.get(
                g, () -> provider.plan(g), provider.name(), "the training passes of batch norm", "camloss's own");
    }

    /** Whether {@value #PROPERTY} asks for the provider: {@code dl4j} no, anything else yes, unset {@link #NATIVE_BY_DEFAULT}. */
    static boolean nativeRequested() {
        String p = System.getProperty(PROPERTY);
        return p == null ? NATIVE_BY_DEFAULT : !"dl4j".equals(p);
    }

    private BatchNormTraining.Geometry geometry(INDArray x, Layout l) {
        return new BatchNormTraining.Geometry(
                x.size(0),
                x.size(1),
                x.size(2),
                l.c,
                (float) layerConf().getEps(),
                isPlainRelu(layerConf().getActivationFn()));
    }

    /** The batch mean and biased variance of the last training forward pass, [1, C] (for tests). */
    INDArray[] batchStatistics() {
        return new INDArray[] {batchMean, batchVar};
    }

    /** What ran this layer's last training forward pass: a provider plan's description, or "dl4j" (for tests). */
    String trainingForwardPath() {
        return lastTrainingForward;
    }

    /** What ran this layer's last backward pass: a provider plan's description, or "dl4j" (for tests). */
    String trainingBackwardPath() {
        return lastTrainingBackward;
    }

    /** The provider of native training passes, looked up once per process. */
    private static final class Providers {
        static final Optional<BatchNormTraining> TRAINING = NativePasses.load(
                BatchNormTraining.class, BatchNormTraining::name, "batch norm training pass", "camloss's own");
    }

    /**
     * The running statistics' "gradients", as in DL4J's layer: {@code mean - update = decay·mean +
     * (1 - decay)·batchMean}, and likewise for the variance or, with {@code log10stdev}, its logarithm.
     */
    private void runningStatisticsUpdate(Gradient gradient) {
        if (dataType == DataType.FLOAT && batchMean.dataType() == DataType.FLOAT) {
            runningStatisticsUpdateOnHost(gradient);
            return;
        }
        double decay = layerConf().getDecay();
        INDArray globalMean = row(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        INDArray dGlobalMean = row(gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        Nd4j.exec(new SubOp(globalMean, batchMean, dGlobalMean));
        dGlobalMean.muli(1 - decay);
        gradient.setGradientFor(
                BatchNormalizationParamInitializer.GLOBAL_MEAN,
                gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        if (layerConf().isUseLogStd()) {
            INDArray log10Std = row(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            INDArray dLog10Std = row(gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            // log10(std_t) - log10(std_t+1) = log(var_t / var_t+1) / (2 ln 10)
            INDArray vari = Transforms.pow(Nd4j.valueArrayOf(log10Std.shape(), 10.0, dataType), log10Std, false);
            vari.muli(vari);
            INDArray varip1 = vari.mul(decay).addi(batchVar.mul(1 - decay));
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp(vari, varip1, dLog10Std));
            Transforms.log(dLog10Std, false);
            dLog10Std.muli(1.0 / (2 * Math.log(10.0)));
            gradient.setGradientFor(
                    BatchNormalizationParamInitializer.GLOBAL_LOG_STD,
                    gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
        } else {
            INDArray globalVar = row(getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
            INDArray dGlobalVar = row(gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR));
            Nd4j.exec(new SubOp(globalVar, batchVar, dGlobalVar));
            dGlobalVar.muli(1 - decay);
            gradient.setGradientFor(
                    BatchNormalizationParamInitializer.GLOBAL_VAR,
                    gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR));
        }
    }

    /**
     * {@link #runningStatisticsUpdate} for float layers as one Java loop over the [C] vectors' host memory, the same
     * float arithmetic as the ND4J ops it replaces (which were ~25 native calls per layer and training step, most of
     * batch norm's calls after Change 15): {@code dMean = (mean - batchMean)·(1 - decay)}; {@code dVar = (var -
     * batchVar)·(1 - decay)}, or with {@code log10stdev}, from {@code var_t = (10^log10Std)²}: {@code dLog10Std =
     * ln(var_t / (var_t·decay + batchVar·(1 - decay))) / (2 ln 10)}, where {@code 10^x} and {@code ln} are taken in
     * double and rounded to float (libnd4j's float {@code pow} and {@code log}: within an ulp).
     */
    private void runningStatisticsUpdateOnHost(Gradient gradient) {
        int c = (int) batchMean.length();
        float keep = (float) layerConf().getDecay();
        float take = (float) (1 - layerConf().getDecay());
        float[] bMean = Floats.read(batchMean, c);
        float[] gMean = Floats.read(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN), c);
        for (int i = 0; i < c; i++) {
            gMean[i] = (gMean[i] - bMean[i]) * take;
        }
        Floats.write(gMean, gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        gradient.setGradientFor(
                BatchNormalizationParamInitializer.GLOBAL_MEAN,
                gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        float[] bVar = Floats.read(batchVar, c);
        String key = layerConf().isUseLogStd()
                ? BatchNormalizationParamInitializer.GLOBAL_LOG_STD
                : BatchNormalizationParamInitializer.GLOBAL_VAR;
        float[] g = Floats.read(getParam(key), c);
        if (layerConf().isUseLogStd()) {
            float perLn = (float) (1.0 / (2 * Math.log(10.0)));
            for (int i = 0; i < c; i++) {
                float std = (float) Math.pow(10.0, g[i]);
                float var = std * std;
                float next = var * keep + bVar[i] * take;
                g[i] = (float) Math.log(var / next) * perLn;
            }
        } else {
            for (int i = 0; i < c; i++) {
                g[i] = (g[i] - bVar[i]) * take;
            }
        }
        Floats.write(g, gradientViews.get(key));
        gradient.setGradientFor(key, gradientViews.get(key));
    }

    /**
     * {@code out = γ (x - mean) / sqrt(var + ε) + β} (without γ and β where they are null) in one pass:
     * libnd4j's batchnorm op with the given statistics (oneDNN's kernel for float).
     */
    private static void normalise(
            Layout l,
            INDArray x,
            INDArray mean,
            INDArray var,
            INDArray gamma,
            INDArray beta,
            double eps,
            INDArray out) {
        BatchNorm op = new BatchNorm(
                x,
                flat(mean),
                flat(var),
                gamma == null ? null : flat(gamma),
                beta == null ? null : flat(beta),
                eps,
                l.axis);
        op.addOutputArgument(out);
        Nd4j.exec(op);
    }

    private static INDArray flat(INDArray a) {
        return a.reshape(a.length());
    }

    /** The running variance, [1, C], in a working-memory array. */
    private INDArray runningVar(LayerWorkspaceMgr mgr) {
        INDArray var = mgr.createUninitialized(
                ArrayType.FF_WORKING_MEM, dataType, 1, layerConf().getNOut());
        if (layerConf().isUseLogStd()) {
            INDArray log10Std = row(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            // var = 10^(2·log10(std))
            Transforms.pow(var.assign(100.0), log10Std, false);
        } else {
            var.assign(row(getParam(BatchNormalizationParamInitializer.GLOBAL_VAR)));
        }
        return var;
    }

    /**
     * {@link #row} of {@code a} for one of the hot call sites ({@code slot}: 0 γ, 1 β, 2 dγ, 3 dβ), made once and
     * kept while {@code a} is the same object (DL4J replaces its parameter and gradient views, never moves them, when a
     * network is initialised or its parameters re-bound), which saves a view's native shape information per call.
     */
    private INDArray cachedRow(int slot, INDArray a) {
        if (rowSources[slot] != a) {
            rows[slot] = row(a);
            rowSources[slot] = a;
        }
        return rows[slot];
    }

    /** A [C] parameter or gradient as a [1, C] view. */
    private static INDArray row(INDArray a) {
        return a.rank() == 2 ? a : a.reshape(1, a.length());
    }

    static boolean isPlainRelu(IActivation act) {
        return act instanceof ActivationReLU r
                && r.getMax() == null
                && r.getThreshold() == null
                && r.getNegativeSlope() == null;
    }

    /**
     * Per-channel sums of {@code a} (a {@link Layout#view}) into {@code out} ([1, C]) as matrix products with
     * a vector of ones.
     */
    private void channelSum(Layout l, INDArray a, INDArray out, LayerWorkspaceMgr mgr, ArrayType ws) {
        if (l.channelsLast) {
            Nd4j.exec(new Mmul(ones(l.m), a, out, null));
        } else {
            // [N·C, H·W] · ones[H·W, 1] -> [N, C]; then ones[1, N] · [N, C]
            INDArray perSample = mgr.createUninitialized(ws, dataType, new long[] {l.n * l.c, 1}, 'c');
            Nd4j.exec(new Mmul(a.reshape('c', l.n * l.c, l.hw), ones(l.hw).reshape('c', l.hw, 1), perSample, null));
            Nd4j.exec(new Mmul(ones(l.n), perSample.reshape('c', l.n, l.c), out, null));
        }
    }

    private INDArray ones(long k) {
        if (ones == null || ones.length() < k || ones.dataType() != dataType) {
            try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(dataType, 1, k);
            }
        }
        return ones.length() == k
                ? ones
                : ones.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, k)).reshape(1, k);
    }

    private void ensureCaches(long c) {
        if (batchMean == null || batchMean.length() != c || batchMean.dataType() != dataType) {
            try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                batchMean = Nd4j.create(dataType, 1, c);
                batchVar = Nd4j.create(dataType, 1, c);
                batchInvStd = Nd4j.create(dataType, 1, c);
            }
        }
    }

    private static INDArray contiguous(INDArray a, LayerWorkspaceMgr mgr, ArrayType ws) {
        if (a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) && a.offset() == 0) {
            return a;
        }
        return mgr.dup(ws, a, 'c');
    }

    /** Where the channels are and how an array of this shape is viewed for the channel reductions. */
    private Layout layout(INDArray x) {
        long nOut = layerConf().getNOut();
        Layout l;
        if (x.rank() == 2) {
            l = new Layout(true, x.size(0), x.size(1), 1, 1);
        } else if (x.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NHWC) {
            l = new Layout(true, x.size(0), x.size(3), x.size(1) * x.size(2), 3);
        } else if (x.rank() == 4) {
            l = new Layout(false, x.size(0), x.size(1), x.size(2) * x.size(3), 1);
        } else {
            throw new IllegalArgumentException(
                    "FastBatchNorm layer '" + layerConf().getLayerName()
                            + "': input must have rank 2 or 4, found shape " + Arrays.toString(x.shape()));
        }
        if (l.c != nOut) {
            throw new IllegalArgumentException(
                    "FastBatchNorm layer '" + layerConf().getLayerName() + "': expected "
                            + nOut + " channels (" + layerConf().getCnn2DFormat() + "), found shape "
                            + Arrays.toString(x.shape()));
        }
        return l;
    }

    /**
     * Channels last: arrays are viewed as [M, C] with M = N·H·W and channel dimension 1; NCHW: arrays keep
     * their shape, channel dimension 1.
     */
    private static final class Layout {
        final boolean channelsLast;
        final long n;
        final long c;
        final long hw;
        final long m;
        final int ch = 1;
        /** The channel axis of the unreshaped array. */
        final int axis;

        Layout(boolean channelsLast, long n, long c, long hw, int axis) {
            this.axis = axis;
            this.channelsLast = channelsLast;
            this.n = n;
            this.c = c;
            this.hw = hw;
            this.m = n * hw;
        }

        INDArray view(INDArray a) {
            return channelsLast ? a.reshape('c', m, c) : a;
        }
    }
}
