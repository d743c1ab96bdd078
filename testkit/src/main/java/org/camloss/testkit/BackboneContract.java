package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneFactory;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.Loss;
import org.camloss.api.LossTerm;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.ResidualDrop;
import org.camloss.api.TargetEffect;
import org.camloss.api.layers.FoldedInference;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.Backend;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.opentest4j.AssertionFailedError;

/**
 * The contract of a {@link BackboneFactory}: every check of {@link PluginContract}, plus a consistent
 * {@link BackboneInfo}, feature maps and declared stages whose shapes match the info for two input sizes (the
 * runtime's {@link ModelAssembler} compares the declaration with the graph first, and its message names the channels
 * or stride that differ), no DL4J layer whose activation DL4J 1.0.0-M2.1 ignores or gets wrong under the oneDNN
 * helpers, each network-level regularization it declares actually applied, and a few SGD steps on one fixed batch that
 * lower its loss and leave the parameters finite. Models are
 * assembled as the runtime assembles them: NHWC, float, oneDNN helpers on.
 *
 * <p>A plugin's test extends this and returns its factory from {@link #factory()}. The model-level checks
 * build the backbone from {@link #testParams()} (the defaults unless overridden), so a plugin keeps them
 * fast by returning a small configuration. Inputs are at least 8 pixels a side, with 1 or 3 channels.
 */
public abstract class BackboneContract extends PluginContract<BackboneFactory> {
    private static final int CLASSES = 3;

    @Override
    protected final Class<BackboneFactory> kind() {
        return BackboneFactory.class;
    }

    /** The backbone of {@link #testParams()}. */
    protected final Backbone testBackbone() {
        return factory().create(resolvedTestParams());
    }

    /** Mean cross-entropy, the objective of the model-level checks. */
    protected static Loss crossEntropy() {
        return ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0));
    }

    /**
     * The SGD learning rate of {@link #trainingStepsLowerTheLoss()}: 0.05 unless a backbone's test net needs
     * a smaller one to descend on its fixed batch (say why where you override it).
     */
    protected double trainingLearningRate() {
        return 0.05;
    }

    /**
     * The {@link #testBackbone()} plus the camloss head, assembled as the runtime assembles it: in float, NHWC, seeded,
     * here with plain SGD. A declaration the graph contradicts fails the calling check with the assembler's message.
     *
     * @param shape        the input; images are [N, H, W, C]
     * @param learningRate the SGD learning rate
     */
    protected final CamModel testModel(InputShape shape, double learningRate) {
        ModelAssembler assembler = new ModelAssembler()
                .seed(42)
                .dataType(DataType.FLOAT)
                .format(CNN2DFormat.NHWC)
                .updater(new Sgd(learningRate))
                .backboneName(factory().id());
        try {
            return assembler.assemble(testBackbone(), shape, CLASSES, Objective.of(crossEntropy()));
        } catch (IllegalArgumentException e) {
            // the runtime refuses the model with this message; here it is the plugin's failure
            throw new AssertionFailedError(e.getMessage(), e);
        }
    }

    /** DL4J's oneDNN helpers are on, as when the runtime trains: otherwise the kit would test another code path. */
    @Test
    void runsWithTheRuntimesBackendSettings() {
        require(
                Backend.helpersEnabled(),
                () -> "DL4J's oneDNN layer helpers are off in this JVM ("
                        + Backend.HELPERS_DISABLE + "=" + System.getProperty(Backend.HELPERS_DISABLE)
                        + ", set by the build?), "
                        + "but the runtime trains with them on; remove that setting so that " + plugin()
                        + " is tested as it will run");
    }

    /**
     * No DL4J {@link BatchNormalization} is given an activation: DL4J 1.0.0-M2.1 ignores it, so the net silently
     * loses its nonlinearity. camloss's {@code FastBatchNorm} applies it.
     */
    @Test
    void noDl4jBatchNormWithAnActivation() {
        List<String> found = new ArrayList<>();
        probeLayers().forEach((name, layer) -> {
            if (layer.getClass() == BatchNormalization.class) {
                IActivation a = ((BatchNormalization) layer).getActivationFn();
                if (!(a instanceof NotSet) && !(a instanceof ActivationIdentity)) {
                    found.add("'" + name + "' (" + a + ")");
                }
            }
        });
        require(
                found.isEmpty(),
                () -> plugin() + ": " + layers(found) + " DL4J's BatchNormalization with an activation, "
                        + "which DL4J 1.0.0-M2.1 silently ignores (the layer outputs the normalised values unchanged); use "
                        + "org.camloss.api.layers.FastBatchNorm, which applies it (Layers.bn, Layers.convBnAct in "
                        + "org.camloss.api.layers.Layers), or give the batch norm Activation.IDENTITY and add a separate "
                        + "ActivationLayer (Layers.activation)");
    }

    /**
     * No DL4J {@link ConvolutionLayer} in NHWC has a non-identity activation (DL4J's default, sigmoid, when none is
     * set): with the oneDNN helper such a layer gets wrong weight gradients and training turns NaN. camloss's
     * {@code FastConvolution} does not have that problem.
     */
    @Test
    void noDl4jConvolutionWithAnActivation() {
        List<String> found = new ArrayList<>();
        probeLayers().forEach((name, layer) -> {
            if ((layer.getClass() == ConvolutionLayer.class || layer.getClass() == Convolution2D.class)
                    && ((ConvolutionLayer) layer).getCnn2dDataFormat() == CNN2DFormat.NHWC) {
                IActivation a = ((ConvolutionLayer) layer).getActivationFn();
                if (a instanceof NotSet) {
                    found.add("'" + name + "' (none set, so DL4J's default sigmoid)");
                } else if (!(a instanceof ActivationIdentity)) {
                    found.add("'" + name + "' (" + a + ")");
                }
            }
        });
        require(
                found.isEmpty(),
                () -> plugin() + ": " + layers(found) + " DL4J's ConvolutionLayer in NHWC with an "
                        + "activation; with the oneDNN helpers the runtime turns on, its weight gradients are wrong and training "
                        + "turns NaN; use org.camloss.api.layers.FastConvolution (Layers.conv, Layers.convBnAct in "
                        + "org.camloss.api.layers.Layers), or give it Activation.IDENTITY and add a separate ActivationLayer "
                        + "(Layers.activation)");
    }

    /** "layer 'a' (relu) is" or "layers 'a' (relu), 'b' (relu) are". */
    private static String layers(List<String> found) {
        return found.size() == 1 ? "layer " + found.get(0) + " is" : "layers " + String.join(", ", found) + " are";
    }

    /**
     * The layers {@link #testBackbone()} adds, by vertex name, built into a graph whose default activation is a marker,
     * so that a layer left without an activation can be told from one given one (DL4J fills in sigmoid).
     */
    private Map<String, Layer> probeLayers() {
        InputShape shape = new InputShape(3, 16, 16);
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .activation(new NotSet())
                .graphBuilder()
                .addInputs(CamModel.INPUT)
                .setInputTypes(
                        InputType.convolutional(shape.height(), shape.width(), shape.channels(), CNN2DFormat.NHWC));
        testBackbone().build(new BackboneContext(g, CamModel.INPUT, shape, CNN2DFormat.NHWC));
        Map<String, Layer> layers = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> v : g.getVertices().entrySet()) {
            if (v.getValue() instanceof LayerVertex lv) {
                layers.put(v.getKey(), lv.getLayerConf().getLayer());
            }
        }
        return layers;
    }

    /** The default activation of {@link #probeLayers()}: marks a layer that was given none. */
    private static final class NotSet extends ActivationIdentity {
        @Override
        public String toString() {
            return "not set";
        }
    }

    @Test
    void infoIsConsistent() {
        assertInfoConsistent(
                factory().create(Params.defaults(factory().params())).info());
        assertInfoConsistent(testBackbone().info());
    }

    private static void assertInfoConsistent(BackboneInfo info) {
        assertNotNull(info, "info");
        assertTrue(info.channels() > 0, "channels must be positive, found " + info.channels());
        assertTrue(info.stride() > 0, "stride must be positive, found " + info.stride());
        assertFalse(info.stages().isEmpty(), "no stages declared");
        BackboneInfo.Stage last = info.stages().get(info.stages().size() - 1);
        assertEquals(info.channels(), last.channels(), "channels of the last stage");
        assertEquals(info.stride(), last.stride(), "stride of the last stage");
        int previous = 1;
        for (BackboneInfo.Stage s : info.stages()) {
            assertTrue(s.stride() >= previous, "stage strides must not decrease: " + info.stages());
            previous = s.stride();
        }
    }

    /** The feature map and every declared stage have the declared channels and {@code ceil(size / stride)}. */
    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"16, 16, 3", "24, 20, 1"})
    void featureMapMatchesInfo(int height, int width, int channels) {
        InputShape shape = new InputShape(channels, height, width);
        CamModel model = testModel(shape, 0.05);
        BackboneInfo info = model.backboneInfo();
        assertEquals(
                info.stages().get(info.stages().size() - 1).vertex(),
                model.featureVertex(),
                "build() must return the vertex of the last declared stage");
        int n = 2;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, height, width, channels);

        CamModel.Forward out = model.forward(x);
        int[] hw = info.outputSize(shape);
        assertEquals(
                List.of((long) n, (long) info.channels(), (long) hw[0], (long) hw[1]),
                shapeOf(out.features()),
                "feature map [N, C, H, W] for input " + shape);
        assertEquals(List.of((long) n, (long) CLASSES), shapeOf(out.logits()), "logits");

        Map<String, INDArray> acts = model.graph().feedForward(new INDArray[] {x}, false, false);
        for (BackboneInfo.Stage s : info.stages()) {
            INDArray a = acts.get(s.vertex());
            assertNotNull(a, "stage vertex '" + s.vertex() + "' is not in the graph");
            long h = (height + s.stride() - 1) / s.stride();
            long w = (width + s.stride() - 1) / s.stride();
            // NHWC, the assembler's default format
            assertEquals(List.of((long) n, h, w, (long) s.channels()), shapeOf(a), "stage '" + s.vertex() + "'");
        }
    }

    /**
     * Each part of a network regularization the backbone declares in {@code Backbone.regularizations()} is applied: with
     * it asked for (stochastic depth and ShakeDrop at p_L = 0.5, block dropout at 0.5), the training forward pass changes
     * between some of 8 steps (without it, training is deterministic), and inference stays the same on every pass.
     * Catches a backbone that declares a part and ignores {@code BackboneContext.regularization()}. Skipped for a backbone
     * that declares none.
     */
    @Test
    void declaredRegularizationsAreApplied() {
        java.util.Set<NetworkRegularization.Kind> kinds = testBackbone().regularizations();
        org.junit.jupiter.api.Assumptions.assumeFalse(
                kinds.isEmpty(), plugin() + " applies no network-level regularization");
        InputShape shape = new InputShape(3, 16, 16);
        Nd4j.getRandom().setSeed(17);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, shape.height(), shape.width(), shape.channels());
        for (NetworkRegularization.Kind kind : kinds) {
            NetworkRegularization asked =
                    switch (kind) {
                        case BLOCK_DROPOUT -> NetworkRegularization.NONE.withBlockDropout(0.5);
                        case STOCHASTIC_DEPTH -> NetworkRegularization.residual(ResidualDrop.stochasticDepth(0.5));
                        case SHAKEDROP -> NetworkRegularization.residual(ResidualDrop.shakeDrop(0.5, -1, 1, 0, 1));
                    };
            Regularizer reg = new Regularizer() {
                @Override
                public NetworkRegularization network() {
                    return asked;
                }

                @Override
                public TargetEffect targetEffect() {
                    return TargetEffect.KEEPS;
                }
            };
            CamModel model;
            try {
                model = new ModelAssembler()
                        .seed(42)
                        .dataType(DataType.FLOAT)
                        .format(CNN2DFormat.NHWC)
                        .updater(new Sgd(0.01))
                        .backboneName(factory().id())
                        .assemble(
                                testBackbone(), shape, CLASSES, new Objective(crossEntropy(), List.of(reg), List.of()));
            } catch (IllegalArgumentException e) {
                throw new AssertionFailedError(e.getMessage(), e);
            }
            var graph = model.graph();
            INDArray inference = graph.outputSingle(false, x).dup();
            require(
                    inference.equals(graph.outputSingle(false, x)),
                    () -> plugin() + " with " + kind.label() + ": inference differs between two passes");
            graph.getConfiguration().setIterationCount(0);
            INDArray first = graph.outputSingle(true, x).dup();
            boolean differs = false;
            for (int step = 1; step < 8 && !differs; step++) {
                graph.getConfiguration().setIterationCount(step);
                differs = !first.equals(graph.outputSingle(true, x));
            }
            boolean changed = differs;
            require(
                    changed,
                    () -> plugin() + " declares that it applies " + kind.label() + " (Backbone.regularizations()), but "
                            + "with it asked for, its training forward pass was the same at 8 steps; apply "
                            + "BackboneContext.regularization() (Layers.residual ends a residual block with it) or leave "
                            + kind.id() + " out of regularizations()");
        }
    }

    /**
     * Inference with every convolution → batch norm pair folded into one convolution ({@link FoldedInference}, as the
     * evaluator and {@code bench} run it) gives the plain inference output within 1e-4 of its largest value (each
     * folded pair sums its products in another order, about 1e-6 relative), and inside that scope every vertex's
     * activation from {@code feedForward} is exactly the plain one (folding must not change what a vertex means to
     * CAM methods). The batch norms are made non-trivial first: two SGD steps move their running statistics, and γ
     * and β are set at random (γ in [0.5, 1.5], β in [−0.5, 0.5]).
     */
    @Test
    void foldedInferenceMatchesPlainInference() {
        CamModel model = withNonTrivialBatchNorms(11);
        var graph = model.graph();
        INDArray x = FOLDING_INPUT.apply(11);
        INDArray plain = graph.outputSingle(false, x).dup();
        Map<String, INDArray> activations = graph.feedForward(new INDArray[] {x}, false, false);
        INDArray folded;
        Map<String, INDArray> inScope;
        try (FoldedInference f = FoldedInference.open(graph)) {
            folded = graph.outputSingle(false, x).dup();
            inScope = graph.feedForward(new INDArray[] {x}, false, false);
        }
        double scale = Math.max(1e-3, plain.amaxNumber().doubleValue());
        double diff = plain.sub(folded).amaxNumber().doubleValue();
        require(
                diff <= 1e-4 * scale,
                () -> plugin() + ": inference with batch norms folded into their convolutions differs from plain"
                        + " inference by " + diff + " (largest value " + scale + ")");
        for (Map.Entry<String, INDArray> e : activations.entrySet()) {
            require(
                    e.getValue().equals(inScope.get(e.getKey())),
                    () -> plugin() + ": the activation of vertex '" + e.getKey()
                            + "' from feedForward changed inside a FoldedInference scope");
        }
    }

    /**
     * {@link CamModel#forward(INDArray, boolean, boolean)}'s inference pass, which runs inside a
     * {@link FoldedInference} scope (batch norms folded into their convolutions, residual adds into the convolution
     * before them), hands back the same feature map, logits and declared stage maps as the same model with every
     * layer unfused ({@code camloss.convolution.forward=dl4j}): the maps CAM, the few-shot features and distillation
     * read keep their meaning. Batch norms made non-trivial as in {@link #foldedInferenceMatchesPlainInference()}.
     */
    @Test
    void foldedForwardKeepsFeatureStageMapsAndLogits() {
        CamModel model = withNonTrivialBatchNorms(12);
        INDArray x = FOLDING_INPUT.apply(12);
        String property = org.camloss.api.layers.FastConvolutionLayer.FORWARD_PROPERTY;
        String before = System.getProperty(property);
        CamModel.Forward plain;
        try {
            System.setProperty(property, "dl4j");
            plain = model.forward(x, false, true);
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
        CamModel.Forward folded = model.forward(x, false, true);
        requireClose(plain.features(), folded.features(), "the feature map");
        requireClose(plain.logits(), folded.logits(), "the logits");
        List<BackboneInfo.Stage> stages = model.backboneInfo().stages();
        for (int i = 0; i < stages.size(); i++) {
            requireClose(
                    plain.stages().get(i),
                    folded.stages().get(i),
                    "the map of stage '" + stages.get(i).vertex() + "'");
        }
    }

    /** The input of the folding checks: 4 images of 16×16×3, uniform in [0, 1), from {@code seed}. */
    private static final java.util.function.IntFunction<INDArray> FOLDING_INPUT = seed -> {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, 4, 16, 16, 3);
    };

    /**
     * The test model on 16×16×3 with non-trivial batch norms for the folding checks: two SGD steps on
     * {@link #FOLDING_INPUT}{@code (seed)} move their running statistics, then γ and β are set at random (γ in
     * [0.5, 1.5], β in [−0.5, 0.5]).
     */
    private CamModel withNonTrivialBatchNorms(int seed) {
        CamModel model = testModel(new InputShape(3, 16, 16), 0.01);
        var graph = model.graph();
        INDArray x = FOLDING_INPUT.apply(seed);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, x.size(0), CLASSES);
        for (int i = 0; i < x.size(0); i++) {
            labels.putScalar(i, i % CLASSES, 1.0);
        }
        for (int step = 0; step < 2; step++) {
            graph.fit(new INDArray[] {x}, new INDArray[] {labels});
        }
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            if (l instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
                INDArray gamma = l.getParam("gamma");
                gamma.assign(Nd4j.rand(gamma.dataType(), gamma.shape()).addi(0.5));
                INDArray beta = l.getParam("beta");
                beta.assign(Nd4j.rand(beta.dataType(), beta.shape()).subi(0.5));
            }
        }
        // a net whose training diverges fails trainingStepsLowerTheLoss; comparing NaN maps here would say nothing more
        INDArray plain = graph.outputSingle(false, x);
        org.junit.jupiter.api.Assumptions.assumeFalse(
                plain.isNaN().any() || plain.isInfinite().any(),
                () -> plugin() + ": its plain inference is not finite after 2 training steps, so folded inference "
                        + "cannot be compared with it (trainingStepsLowerTheLoss reports the divergence)");
        return model;
    }

    private void requireClose(INDArray plain, INDArray folded, String what) {
        double scale = Math.max(1e-3, plain.amaxNumber().doubleValue());
        double diff = plain.sub(folded).amaxNumber().doubleValue();
        require(
                diff <= 1e-4 * scale,
                () -> plugin() + ": " + what + " from CamModel.forward's folded inference pass differs from the"
                        + " unfused pass by " + diff + " (largest value " + scale + ")");
    }

    /** A few SGD steps on one fixed batch lower its training-mode loss; the parameters stay finite. */
    @Test
    void trainingStepsLowerTheLoss() {
        InputShape shape = new InputShape(3, 16, 16);
        CamModel model = testModel(shape, trainingLearningRate());
        Nd4j.getRandom().setSeed(7);
        int n = 8;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, shape.height(), shape.width(), shape.channels());
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, CLASSES);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % CLASSES, 1.0);
        }
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 8; step++) {
            model.graph().fit(new INDArray[] {x}, new INDArray[] {labels});
            // the score of the parameters before this step's update
            last = model.graph().score();
            assertTrue(Double.isFinite(last), "loss at step " + step + " is " + last);
            if (step == 0) {
                first = last;
                assertFinite(model.graph().params(), "parameters after one step");
            }
        }
        assertTrue(last < first, "loss did not drop in 8 steps: " + first + " -> " + last);
        assertFinite(model.graph().params(), "parameters after 8 steps");
    }

    private static void assertFinite(INDArray a, String what) {
        double sum = a.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        assertTrue(Double.isFinite(sum), what + " are not finite (norm " + sum + ")");
    }

    private static List<Long> shapeOf(INDArray a) {
        return Arrays.stream(a.shape()).boxed().collect(Collectors.toList());
    }
}
