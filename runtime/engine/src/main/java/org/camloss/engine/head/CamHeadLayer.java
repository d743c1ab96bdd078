package org.camloss.engine.head;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.TermKernel;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.samediff.DL4JSameDiffMemoryMgr;
import org.deeplearning4j.nn.layers.samediff.SameDiffOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The runtime layer of {@link CamHead}. Beyond DL4J's SameDiff output layer it records the value of
 * every objective term each time the score is computed, so training can report {@code ce} and
 * {@code cam} separately.
 */
public class CamHeadLayer extends SameDiffOutputLayer {
    /**
     * System property choosing how the head infers on its kernels: {@code gemm} (default) computes the pooled
     * product as one matrix product of the feature map with the classifier weights spread over the pixels, then adds
     * the bias and takes the softmax on the host; {@code ops} runs ND4J's mean, product, bias add and softmax as
     * before (2026-11-30, issue 16). Read at every pass.
     */
    public static final String INFERENCE_PROPERTY = "camloss.head.inference";

    private Map<String, Double> lastTerms = Map.of();
    /** The weights {@link #spread} was made from, [K·C], and its geometry. */
    private float[] spreadFrom;

    private long spreadPixels;
    private boolean spreadChannelsLast;
    /** Wᵀ/(H·W) repeated per pixel in the feature map's element order, [H·W·C, K] (outside workspaces). */
    private INDArray spread;
    /** Passes that took {@link #gemmActivate} (test-visible). */
    long gemmPasses;

    private double cachedScoreSum = Double.NaN;
    private INDArray cachedInput;
    private INDArray cachedLabels;

    public CamHeadLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The configuration. */
    public CamHead head() {
        return (CamHead) layerConf();
    }

    /**
     * Drops the graph defined from the head's objective so the next pass defines it again, from the objective the
     * head has then.
     */
    public void redefine() {
        sameDiff = null;
        outputVar = null;
        cachedScoreSum = Double.NaN;
        cachedInput = null;
        cachedLabels = null;
        lastTerms = Map.of();
    }

    /** Unweighted batch-mean value of each term at the last score computation (empty before). */
    public Map<String, Double> lastTerms() {
        return lastTerms;
    }

    /**
     * One pass for gradients <em>and</em> the loss and term values (DL4J's own layer runs the head forward once
     * more in {@link #computeScore} just for the score); the values are kept for the {@code computeScore} call
     * that follows on the same input.
     */
    @Override
    public org.nd4j.common.primitives.Pair<org.deeplearning4j.nn.gradient.Gradient, INDArray> backpropGradient(
            INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!head().hasObjective()) {
            throw new IllegalStateException("this model has no objective to train: a model read from a file does not "
                    + "store its loss, regularizers and distillers; give it one with CamModel.setObjective (the "
                    + "camloss runtime does so from the run's config)");
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (sameDiff == null) {
                doInit();
            }
        }
        boolean sameDiffTerms = !head().objective().sameDiffTermNames().isEmpty();
        String wsActGrad = workspaceMgr.getWorkspaceName(ArrayType.ACTIVATION_GRAD);
        boolean actGradScopedOut = workspaceMgr.isScopedOut(ArrayType.ACTIVATION_GRAD);
        org.deeplearning4j.nn.gradient.Gradient g = new org.deeplearning4j.nn.gradient.DefaultGradient();
        INDArray dLdIn;
        double sameDiffLoss;
        Map<String, INDArray> values;
        if (sameDiffTerms) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                if (sameDiff.getFunction("grad") == null) {
                    quietly(() -> sameDiff.createGradFunction(INPUT_KEY));
                }
            }
            Map<Long, InferenceSession> sessions = sameDiff.getFunction("grad").getSessions();
            long thread = Thread.currentThread().getId();
            if (!sessions.containsKey(thread)) {
                sessions.put(thread, SameDiff.getInferenceFactory().create(sameDiff.getFunction("grad")));
            }
            String wsWorking = workspaceMgr.getWorkspaceName(ArrayType.BP_WORKING_MEM);
            sessions.get(thread)
                    .setMmgr(new DL4JSameDiffMemoryMgr(
                            wsWorking,
                            wsActGrad,
                            workspaceMgr.getConfiguration(ArrayType.BP_WORKING_MEM),
                            workspaceMgr.getConfiguration(ArrayType.ACTIVATION_GRAD)));

            List<String> gradNames = new ArrayList<>(paramTable.keySet());
            gradNames.add(INPUT_KEY);
            org.nd4j.autodiff.samediff.api.OutAndGrad og =
                    sameDiff.calculateGradientsAndOutputs(placeholders(), scoreOutputs(), gradNames);
            Map<String, INDArray> grads = og.getGradients();
            values = og.getOutputs();
            sameDiffLoss = values.get(outputVar.name()).getDouble(0);
            for (String name : paramTable.keySet()) {
                INDArray sdGrad = grads.get(name);
                if (sdGrad == null) {
                    gradTable.get(name).assign(0);
                } else {
                    gradTable.get(name).assign(sdGrad);
                }
            }
            dLdIn = grads.get(INPUT_KEY);
        } else {
            // every term on its kernel: no SameDiff in training
            values = Map.of();
            sameDiffLoss = 0;
            for (String name : paramTable.keySet()) {
                gradTable.get(name).assign(0);
            }
            dLdIn = null;
        }
        for (String name : paramTable.keySet()) {
            g.gradientForVariable().put(name, gradTable.get(name));
        }
        if (dLdIn == null) {
            dLdIn = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        }
        Map<String, Double> kernelValues = new LinkedHashMap<>();
        double kernelSum = runKernels(
                kernelValues,
                dLdIn,
                gradTable.get(CamHead.WEIGHT),
                gradTable.get(CamHead.BIAS),
                (type, shape) -> workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, shape, 'c'));
        cachedScoreSum = sameDiffLoss + kernelSum;
        recordTerms(values, kernelValues);
        cachedInput = input;
        cachedLabels = labels;

        if (sameDiffTerms) {
            sameDiff.clearPlaceholders(true);
            sameDiff.clearOpInputs();
        }
        if (!actGradScopedOut && !dLdIn.data().getParentWorkspace().getId().equals(wsActGrad)) {
            dLdIn = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, dLdIn);
        } else if (actGradScopedOut && dLdIn.isAttached()) {
            dLdIn = dLdIn.detach();
        }
        return new org.nd4j.common.primitives.Pair<>(g, dLdIn);
    }

    /**
     * The head's activations, the class probabilities {@code softmax(GAP(F)·Wᵀ + b)} [N, K]. When every term of the
     * objective runs on its {@linkplain Objective#kernels() kernel} ({@link #infersOnKernels()}) they are computed
     * here with three ND4J operations (the mean over the pixels, one matrix product, the softmax), the ops the
     * head's SameDiff graph runs for its {@code probs} variable; otherwise by that graph, as DL4J's layer does.
     * Either way the graph is defined on the first call, so that the objective's kernels are known.
     */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (sameDiff == null) {
                doInit();
            }
        }
        if (!infersOnKernels()) {
            return super.activate(training, workspaceMgr);
        }
        if (GemmHead.applies(this)) {
            return gemmActivate(workspaceMgr);
        }
        CamHead conf = head();
        DataType type = input.dataType();
        long n = input.size(0);
        INDArray weight = paramTable.get(CamHead.WEIGHT);
        INDArray bias = paramTable.get(CamHead.BIAS);
        long k = weight.size(0);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {n, k}, 'c');
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
            INDArray pooled;
            if (conf.receivesStages()) {
                int[] packed = conf.getPackedShapes();
                INDArray map = input.get(
                                NDArrayIndex.all(), NDArrayIndex.interval(0, (long) packed[0] * packed[1] * packed[2]))
                        .dup('c');
                pooled = conf.isChannelsLast()
                        ? map.reshape('c', n, (long) packed[0] * packed[1], packed[2])
                                .mean(1)
                        : map.reshape('c', n, packed[0], (long) packed[1] * packed[2])
                                .mean(2);
            } else {
                pooled = conf.isChannelsLast() ? input.mean(1, 2) : input.mean(2, 3);
            }
            INDArray logits = pooled.mmul(weight.castTo(type).transpose())
                    .addiRowVector(bias.castTo(type).reshape(1, k));
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax(logits, out, -1));
        }
        return out;
    }

    /**
     * The probabilities as one matrix product and a host loop: {@code F·S}, where {@code F} is the feature map
     * [N, H·W·C] as it lies in memory and {@code S} holds Wᵀ/(H·W) once per pixel, is GAP(F)·Wᵀ (the pooling is
     * linear); then the bias and the softmax per row, on the [N, K] result in place. Three ND4J calls (the output,
     * the product, and {@code S} again only when the weights changed) instead of the mean, two casts, the transpose,
     * the product, the bias add and the softmax, whose Java-side cost in DL4J's graph was most of the head's time.
     */
    private INDArray gemmActivate(LayerWorkspaceMgr workspaceMgr) {
        gemmPasses++;
        CamHead conf = head();
        long n = input.size(0);
        long pixels = conf.isChannelsLast() ? input.size(1) * input.size(2) : input.size(2) * input.size(3);
        INDArray weight = paramTable.get(CamHead.WEIGHT);
        int k = (int) weight.size(0);
        int c = (int) weight.size(1);
        float[] w = org.camloss.engine.HostMemory.copyFloats(weight, k * c);
        if (spread == null
                || spreadPixels != pixels
                || spreadChannelsLast != conf.isChannelsLast()
                || !java.util.Arrays.equals(w, spreadFrom)) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                spread = GemmHead.spread(w, k, c, pixels, conf.isChannelsLast());
            }
            spreadFrom = w;
            spreadPixels = pixels;
            spreadChannelsLast = conf.isChannelsLast();
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {n, k}, 'c');
        Nd4j.gemm(input.reshape('c', n, pixels * c), spread, out, false, false, 1.0, 0.0);
        GemmHead.biasSoftmax(
                out, org.camloss.engine.HostMemory.copyFloats(paramTable.get(CamHead.BIAS), k), (int) n, k);
        return out;
    }

    /**
     * Whether {@link #activate(boolean, LayerWorkspaceMgr)} computes the probabilities without SameDiff: once the
     * head's graph is defined, when kernels are on and every term of the objective has one (false before).
     */
    public boolean infersOnKernels() {
        Objective objective = head().objective();
        return sameDiff != null
                && !objective.kernels().isEmpty()
                && objective.sameDiffTermNames().isEmpty();
    }

    /** The loss variable and the value variable of every term SameDiff computes. */
    private List<String> scoreOutputs() {
        List<String> outputs = new ArrayList<>();
        outputs.add(outputVar.name());
        for (String t : head().objective().sameDiffTermNames()) {
            outputs.add(Objective.TERM_PREFIX + t);
        }
        return outputs;
    }

    /**
     * Runs the objective's {@linkplain Objective#kernels() term kernels} on the current input and labels: puts
     * each term's value in {@code values}, adds each weighted gradient (scaled to the batch sum, like the
     * SameDiff loss) to {@code dLdIn}, {@code weightGrad} and {@code biasGrad} when {@code dLdIn} is not null,
     * and returns the weighted batch sum of the kernel terms.
     */
    private double runKernels(
            Map<String, Double> values,
            INDArray dLdIn,
            INDArray weightGrad,
            INDArray biasGrad,
            TermKernel.Allocator allocator) {
        Objective objective = head().objective();
        if (objective.kernels().isEmpty()) {
            return 0;
        }
        CamHead conf = head();
        long n = input.size(0);
        int[] packed = conf.getPackedShapes();
        long size = conf.receivesStages() ? (long) packed[0] * packed[1] * packed[2] : 0;
        INDArray features = conf.receivesStages()
                ? input.get(NDArrayIndex.all(), NDArrayIndex.interval(0, size))
                        .dup('c')
                        .reshape('c', n, packed[0], packed[1], packed[2])
                : input;
        java.util.Optional<int[]> grid = objective.pixelGrid();
        int classes = conf.getClasses();
        INDArray targets = objective.hasTeacher() || grid.isPresent()
                ? labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, classes))
                : labels;
        INDArray cells = grid.map(g -> labels.get(
                                NDArrayIndex.all(), NDArrayIndex.interval(classes, classes + g[0] * g[1] * classes))
                        .dup('c')
                        .reshape('c', n, (long) g[0] * g[1], classes))
                .orElse(null);
        INDArray weight = paramTable.get(CamHead.WEIGHT);
        INDArray bias = paramTable.get(CamHead.BIAS);
        double sum = 0;
        for (Map.Entry<String, TermKernel> e : objective.kernels().entrySet()) {
            double w = objective.weightNow(e.getKey());
            boolean gradients = dLdIn != null && w != 0;
            TermKernel.Output out = e.getValue()
                    .apply(new TermKernel.Input(
                            features,
                            conf.isChannelsLast(),
                            weight,
                            bias.reshape(bias.length()),
                            targets,
                            gradients,
                            n * w,
                            allocator,
                            cells));
            values.put(e.getKey(), out.value());
            sum += n * w * out.value();
            if (gradients && out.featureGrad() != null) {
                if (conf.receivesStages()) {
                    dLdIn.get(NDArrayIndex.all(), NDArrayIndex.interval(0, size))
                            .addi(out.featureGrad().reshape('c', n, size));
                } else {
                    dLdIn.addi(out.featureGrad());
                }
            }
            if (gradients && out.weightGrad() != null) {
                weightGrad.addi(out.weightGrad());
            }
            if (gradients && out.biasGrad() != null) {
                biasGrad.addi(out.biasGrad().reshape(biasGrad.shape()));
            }
        }
        return sum;
    }

    private Map<String, INDArray> placeholders() {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(INPUT_KEY, input);
        ph.put(LABELS_KEY, labels);
        return ph;
    }

    /** Keeps each term's value from the outputs of {@link #scoreOutputs()} and the kernels' values. */
    private void recordTerms(Map<String, INDArray> values, Map<String, Double> kernelValues) {
        Map<String, Double> terms = new LinkedHashMap<>();
        for (String t : head().objective().termNames()) {
            Double k = kernelValues.get(t);
            terms.put(t, k != null ? k : values.get(Objective.TERM_PREFIX + t).getDouble(0));
        }
        lastTerms = Collections.unmodifiableMap(terms);
    }

    /**
     * Runs {@code action} while dropping the "Added differentiated op" lines that SameDiff 1.0.0-M2.1 prints
     * on {@code System.out} (unconditionally) when it builds a backward pass; everything else is passed on.
     */
    public static synchronized void quietly(Runnable action) {
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(
                new java.io.OutputStream() {
                    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

                    @Override
                    public void write(int b) {
                        line.write(b);
                        if (b == '\n') {
                            String s = line.toString(java.nio.charset.StandardCharsets.UTF_8);
                            line.reset();
                            if (!s.startsWith("Added differentiated op ")) {
                                original.print(s);
                            }
                        }
                    }

                    @Override
                    public void flush() {
                        original.flush();
                    }
                },
                true,
                java.nio.charset.StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.out.flush();
            System.setOut(original);
        }
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!Double.isNaN(cachedScoreSum) && cachedInput == input && cachedLabels == labels) {
            double sum = cachedScoreSum;
            cachedScoreSum = Double.NaN;
            cachedInput = null;
            cachedLabels = null;
            return (sum + fullNetRegTerm) / input.size(0);
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (sameDiff == null) {
                doInit();
            }
        }
        Map<String, Double> kernelValues = new LinkedHashMap<>();
        double kernelLoss = runKernels(kernelValues, null, null, null, TermKernel.Allocator.detached());
        if (head().objective().sameDiffTermNames().isEmpty()) {
            recordTerms(Map.of(), kernelValues);
            return (kernelLoss + fullNetRegTerm) / input.size(0);
        }
        String wsWorking = workspaceMgr.getWorkspaceName(ArrayType.FF_WORKING_MEM);
        String wsOutput = workspaceMgr.getWorkspaceName(ArrayType.ACTIVATIONS);
        DL4JSameDiffMemoryMgr mmgr = new DL4JSameDiffMemoryMgr(
                wsWorking,
                wsOutput,
                workspaceMgr.getConfiguration(ArrayType.FF_WORKING_MEM),
                workspaceMgr.getConfiguration(ArrayType.ACTIVATIONS));
        long thread = Thread.currentThread().getId();
        InferenceSession is = sameDiff.getSessions().get(thread);
        if (is == null) {
            is = SameDiff.getInferenceFactory().create(sameDiff);
            sameDiff.getSessions().put(thread, is);
        }
        is.setMmgr(mmgr);

        Map<String, INDArray> out = sameDiff.output(placeholders(), scoreOutputs());
        double loss = out.get(outputVar.name()).getDouble(0) + kernelLoss;
        recordTerms(out, kernelValues);
        sameDiff.clearPlaceholders(true);
        sameDiff.clearOpInputs();
        return (loss + fullNetRegTerm) / input.size(0);
    }
}
