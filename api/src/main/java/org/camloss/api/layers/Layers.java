package org.camloss.api.layers;

import org.camloss.api.BackboneContext;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.ResidualDrop;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;

/**
 * Adds layers to a backbone's graph the way camloss's own backbones do, with the habits that make DL4J
 * 1.0.0-M2.1 correct and fast in one place: every layer in the graph's data format (NHWC is the fast one on
 * CPU), {@link ConvolutionMode#Same} (a map is {@code ceil(size / stride)} on a side), convolutions as
 * {@link FastConvolution} with Kaiming-normal fan-out weights, and batch norm as {@link FastBatchNorm} (γ = 1,
 * β = 0, ε = 1e-5, decay 0.9 = PyTorch momentum 0.1) with the following activation applied by the batch-norm
 * layer itself. Each method returns the name of the vertex it added, so calls chain:
 *
 * <pre>{@code
 * Layers l = new Layers(ctx);
 * String x = l.convBnAct("stem", ctx.input(), 3, 16, 3, 1, Activation.RELU);
 * x = l.maxPool("pool", x, 2, 2);
 * }</pre>
 *
 * <p>Two DL4J traps this avoids (both measured; see {@code docs/dl4j-notes.md}): DL4J's
 * {@code BatchNormalization} silently ignores its activation, and DL4J's NHWC {@code ConvolutionLayer} with a
 * non-identity activation returns wrong weight gradients when the oneDNN helper runs it. The contract kit's
 * {@code BackboneContract} fails a backbone that uses either.
 */
public final class Layers {
    /** ε of every batch norm. */
    public static final double BN_EPS = 1e-5;
    /** Running-statistics decay of every batch norm (PyTorch momentum 0.1). */
    public static final double BN_DECAY = 0.9;

    private final GraphBuilder g;
    private final CNN2DFormat format;
    private final NetworkRegularization regularization;

    /**
     * Helpers for the graph, data format and network regularization of a backbone's context.
     *
     * @param context where the backbone adds its layers
     */
    public Layers(BackboneContext context) {
        this(context.graph(), context.format(), context.regularization());
    }

    /**
     * Helpers for a graph under construction, without network regularization.
     *
     * @param g      the graph
     * @param format the data layout of every layer added (NHWC or NCHW)
     */
    public Layers(GraphBuilder g, CNN2DFormat format) {
        this(g, format, NetworkRegularization.NONE);
    }

    /**
     * Helpers for a graph under construction.
     *
     * @param g              the graph
     * @param format         the data layout of every layer added (NHWC or NCHW)
     * @param regularization what the regularizers ask of the network; {@link #residual} applies its residual part
     */
    public Layers(GraphBuilder g, CNN2DFormat format, NetworkRegularization regularization) {
        this.g = g;
        this.format = format;
        this.regularization = java.util.Objects.requireNonNull(regularization, "regularization");
    }

    /** What the regularizers ask of the network (families that define dropout inside blocks read its block part). */
    public NetworkRegularization regularization() {
        return regularization;
    }

    /** The data layout of every layer added. */
    public CNN2DFormat format() {
        return format;
    }

    /** The graph layers are added to. */
    public GraphBuilder graph() {
        return g;
    }

    /**
     * Convolution, batch norm and activation (timm's {@code ConvNormAct}): a bias-free k×k {@link FastConvolution}
     * named {@code name + "_conv"} followed by a {@link FastBatchNorm} named {@code name + "_bn"} that applies
     * {@code activation}.
     *
     * @return the name of the batch-norm vertex, the block's output
     */
    public String convBnAct(String name, String input, int in, int out, int k, int stride, Activation activation) {
        String conv = conv(name + "_conv", input, in, out, k, stride);
        return bn(name + "_bn", conv, out, activation);
    }

    /** A bias-free k×k {@link FastConvolution} with identity activation, Kaiming-normal fan-out (std = sqrt(2 / (out·k·k))). */
    public String conv(String name, String input, int in, int out, int k, int stride) {
        return conv(name, input, in, out, k, stride, false, Activation.IDENTITY, 0);
    }

    /**
     * A k×k convolution.
     *
     * @param bias       whether it has a (zero-initialised) bias
     * @param activation its own activation
     * @param dropout    probability of dropping an input unit (0 for none)
     */
    public String conv(
            String name,
            String input,
            int in,
            int out,
            int k,
            int stride,
            boolean bias,
            Activation activation,
            double dropout) {
        double std = Math.sqrt(2.0 / ((double) out * k * k));
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(new int[] {k, k}, new int[] {stride, stride})
                .nIn(in)
                .nOut(out)
                .convolutionMode(ConvolutionMode.Same)
                .hasBias(bias)
                .dataFormat(format)
                .activation(activation)
                .weightInit(new WeightInitDistribution(new NormalDistribution(0, std)));
        if (bias) {
            b.biasInit(0.0);
        }
        if (dropout > 0) {
            b.dropOut(1.0 - dropout); // DL4J takes the retain probability
        }
        g.addLayer(name, new FastConvolution(b), input);
        return name;
    }

    /** A bias-free 3×3 depthwise convolution (multiplier 1), Kaiming-normal fan-out (std = sqrt(2 / 9)). */
    public String depthwise(String name, String input, int channels, int stride) {
        g.addLayer(
                name,
                new DepthwiseConvolution2D.Builder(new int[] {3, 3}, new int[] {stride, stride})
                        .nIn(channels)
                        .nOut(channels)
                        .depthMultiplier(1)
                        .convolutionMode(ConvolutionMode.Same)
                        .hasBias(false)
                        .dataFormat(format)
                        .activation(Activation.IDENTITY)
                        .weightInit(new WeightInitDistribution(new NormalDistribution(0, Math.sqrt(2.0 / 9))))
                        .build(),
                input);
        return name;
    }

    /** Batch norm followed by ReLU (fused) or nothing. */
    public String bn(String name, String input, int channels, boolean relu) {
        return bn(name, input, channels, relu ? Activation.RELU : Activation.IDENTITY);
    }

    /** Batch norm followed by {@code activation} (fused: {@link FastBatchNorm} applies it). */
    public String bn(String name, String input, int channels, Activation activation) {
        g.addLayer(name, FastBatchNorm.of(channels, format, BN_EPS, BN_DECAY, activation), input);
        return name;
    }

    /** A k×k max pooling of the given stride. */
    public String maxPool(String name, String input, int k, int stride) {
        return pool(name, input, SubsamplingLayer.PoolingType.MAX, k, stride);
    }

    /** A k×k average pooling of the given stride. */
    public String avgPool(String name, String input, int k, int stride) {
        return pool(name, input, SubsamplingLayer.PoolingType.AVG, k, stride);
    }

    private String pool(String name, String input, SubsamplingLayer.PoolingType type, int k, int stride) {
        g.addLayer(
                name,
                new SubsamplingLayer.Builder(type, new int[] {k, k}, new int[] {stride, stride})
                        .convolutionMode(ConvolutionMode.Same)
                        .dataFormat(format)
                        .build(),
                input);
        return name;
    }

    /** The element-wise sum of two maps. */
    public String add(String name, String a, String b) {
        g.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), a, b);
        return name;
    }

    /** ReLU of the element-wise sum of two maps, in one vertex ({@link AddReluVertex}). */
    public String addRelu(String name, String a, String b) {
        g.addVertex(name, new AddReluVertex(), a, b);
        return name;
    }

    /**
     * The end of residual block {@code block} of {@code blocks}: {@code shortcut + branch}, then ReLU when {@code relu}
     * (post-activation blocks), with the regularization's treatment of residual branches ({@link ResidualDrop}:
     * stochastic depth or ShakeDrop, at this block's survival probability p_l = 1 − (l / L)·(1 − p_L)). Without one, the
     * same vertices as {@link #addRelu} and {@link #add}, so the graph is the one built before network regularizers
     * existed.
     *
     * @param branch   the residual branch (its last batch norm)
     * @param shortcut the identity or projection
     * @param block    l, 1-based, counted from the input over the whole network
     * @param blocks   L, the network's number of residual blocks
     */
    public String residual(String name, String branch, String shortcut, boolean relu, int block, int blocks) {
        ResidualDrop drop = regularization.residual();
        if (drop.isNone()) {
            return relu ? addRelu(name, branch, shortcut) : add(name, branch, shortcut);
        }
        g.addVertex(name, new ResidualBranchVertex(drop, drop.survival(block, blocks), relu), branch, shortcut);
        return name;
    }

    /**
     * Inverted dropout of single units in training ({@link DropoutVertex}, masks from the model's seed and the step),
     * the identity at inference; with {@code p} = 0 no vertex is added and {@code input} is returned.
     */
    public String dropout(String name, String input, double p) {
        if (p == 0) {
            return input;
        }
        g.addVertex(name, new DropoutVertex(p, false, format == CNN2DFormat.NHWC), input);
        return name;
    }

    /** The channel concatenation of maps (in this format). */
    public String concat(String name, String... inputs) {
        g.addVertex(name, new MergeVertex(), inputs);
        return name;
    }

    /** A separate activation layer. */
    public String activation(String name, String input, Activation activation) {
        g.addLayer(name, new ActivationLayer.Builder().activation(activation).build(), input);
        return name;
    }

    /** A parameter-free option-A shortcut: subsample by {@code stride}, then zero-pad to {@code out} channels. */
    public String shortcutA(String name, String input, int in, int out, int stride) {
        int pad = out - in;
        g.addVertex(name, new ZeroPadShortcutVertex(stride, pad / 2, pad - pad / 2, format == CNN2DFormat.NHWC), input);
        return name;
    }

    /** Zero-pads a map from {@code in} to {@code out} channels, the new ones behind the old (PyramidNet). */
    public String shortcutPadAfter(String name, String input, int in, int out) {
        g.addVertex(name, new ZeroPadShortcutVertex(1, 0, out - in, format == CNN2DFormat.NHWC), input);
        return name;
    }
}
