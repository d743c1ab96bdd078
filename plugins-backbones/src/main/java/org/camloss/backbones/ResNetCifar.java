package org.camloss.backbones;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.layers.FastBatchNorm;
import org.camloss.api.layers.FastConvolution;
import org.camloss.api.layers.Layers;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;

/**
 * The CIFAR-style ResNet of He et al. (2016), "Deep Residual Learning for Image Recognition", section 4.2.
 *
 * <p>A 3×3 stem convolution, then three stages of {@code n} basic blocks (depth 6n+2) at widths
 * 16/32/64 × the width multiplier, the second and third starting with stride 2. A basic block is
 * conv3×3–BN–ReLU–conv3×3–BN, plus the shortcut, then ReLU; the shortcut is the identity, or a 1×1
 * convolution + BN where the shape changes (option B). Convolutions have no bias and use
 * {@link ConvolutionMode#Same}, so a feature map is {@code ceil(size / stride)} on a side; weights are
 * Kaiming-normal in fan-out mode, BN starts at γ = 1, β = 0 with ε = 1e-5 and decay 0.9 (PyTorch momentum
 * 0.1). Every layer uses the context's data format, and ReLU after BN is the BN layer's own activation.
 *
 * <p>Shortcuts where the shape changes: option B (default) is a 1×1 convolution + BN; option A is
 * parameter-free, as in the paper's CIFAR experiments: the input is subsampled (every second row and column)
 * and zero-padded with the missing channels, half in front and half behind ({@link ZeroPadShortcutVertex}).
 *
 * <p>With {@code preact} the blocks are the pre-activation ones of He et al. (2016b), "Identity Mappings in
 * Deep Residual Networks": BN–ReLU–conv3×3–BN–ReLU–conv3×3 plus the shortcut, with no ReLU after the sum;
 * the stem is a plain convolution and a final BN–ReLU ({@code final_bn}) gives the feature map. Where the
 * shape changes, the shortcut (A or B) takes the block's pre-activated input, elsewhere the raw input.
 *
 * <p>Vertex names: {@code stem_conv}, {@code stem_bn}; per block {@code s<stage>_b<block>_conv1},
 * {@code _bn1}, {@code _conv2}, {@code _bn2}, {@code _proj_conv}, {@code _proj_bn} (option B only where
 * the shape changes), {@code _short} (option A only where the shape changes), {@code _add} and
 * {@code _relu}, the block output. Stages are numbered 1 to 3, blocks from 0. Pre-activation nets have no
 * {@code stem_bn} and no {@code _relu}: a block's output is its {@code _add}, its {@code _bn1} comes before
 * {@code _conv1}, and {@code final_bn} follows the last block. Immutable.
 */
public final class ResNetCifar implements Backbone {
    private static final int[] BASE_WIDTHS = {16, 32, 64};
    private static final double BN_EPS = 1e-5;
    private static final double BN_DECAY = 0.9;

    private final int blocksPerStage;
    private final double width;
    private final int[] widths;
    private final char shortcut;
    private final boolean preact;

    /**
     * A post-activation net with option-B shortcuts.
     *
     * @param blocksPerStage n, the number of basic blocks per stage (depth = 6n + 2)
     * @param width          multiplier of the stage widths 16/32/64
     */
    public ResNetCifar(int blocksPerStage, double width) {
        this(blocksPerStage, width, 'B', false);
    }

    /**
     * @param blocksPerStage n, the number of basic blocks per stage (depth = 6n + 2)
     * @param width          multiplier of the stage widths 16/32/64
     * @param shortcut       'A' (subsample and zero-pad) or 'B' (1×1 convolution + BN) where the shape changes
     * @param preact         pre-activation blocks (He et al. 2016b) instead of the original ones
     */
    public ResNetCifar(int blocksPerStage, double width, char shortcut, boolean preact) {
        if (shortcut != 'A' && shortcut != 'B') {
            throw new IllegalArgumentException("shortcut must be one of [A, B], found '" + shortcut + "'");
        }
        this.shortcut = shortcut;
        this.preact = preact;
        if (blocksPerStage < 1) {
            throw new IllegalArgumentException("blocks per stage must be at least 1, found " + blocksPerStage);
        }
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException("width must be a positive number, found " + width);
        }
        this.blocksPerStage = blocksPerStage;
        this.width = width;
        this.widths = new int[BASE_WIDTHS.length];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = scaled(BASE_WIDTHS[i], width);
        }
    }

    /** {@code round(base · width)}, at least 1. */
    static int scaled(int base, double width) {
        return (int) Math.max(1, Math.round(base * width));
    }

    /** Number of weighted layers, 6n + 2. */
    public int depth() {
        return 6 * blocksPerStage + 2;
    }

    /** The width multiplier. */
    public double width() {
        return width;
    }

    /** The shortcut option where the shape changes, 'A' or 'B'. */
    public char shortcut() {
        return shortcut;
    }

    /** Whether the blocks are pre-activation ones. */
    public boolean preact() {
        return preact;
    }

    /** Channels of stages 1, 2 and 3. */
    public int[] stageWidths() {
        return widths.clone();
    }

    @Override
    public BackboneInfo info() {
        List<BackboneInfo.Stage> stages = new ArrayList<>();
        int stride = 1;
        for (int s = 0; s < widths.length; s++) {
            if (s > 0) {
                stride *= 2;
            }
            String vertex = blockName(s, blocksPerStage - 1) + (preact ? "_add" : "_relu");
            if (preact && s == widths.length - 1) {
                vertex = "final_bn";
            }
            stages.add(new BackboneInfo.Stage(vertex, widths[s], stride));
        }
        return new BackboneInfo(widths[widths.length - 1], stride, stages);
    }

    /**
     * Stochastic depth and ShakeDrop on the residual branches of its 3n blocks (each block's sum, before the ReLU of
     * post-activation blocks).
     */
    @Override
    public Set<NetworkRegularization.Kind> regularizations() {
        return RESIDUAL;
    }

    /** What every residual family applies. */
    static final Set<NetworkRegularization.Kind> RESIDUAL =
            Set.of(NetworkRegularization.Kind.STOCHASTIC_DEPTH, NetworkRegularization.Kind.SHAKEDROP);

    @Override
    public String build(BackboneContext context) {
        GraphBuilder g = context.graph();
        CNN2DFormat format = context.format();
        Layers net = new Layers(context);
        int total = widths.length * blocksPerStage;
        int stemWidth = widths[0];
        conv(g, format, "stem_conv", context.input(), context.shape().channels(), stemWidth, 3, 1);
        String x = preact ? "stem_conv" : bn(g, format, "stem_bn", "stem_conv", stemWidth, true);
        int channels = stemWidth;
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < blocksPerStage; b++) {
                int stride = (s > 0 && b == 0) ? 2 : 1;
                int block = s * blocksPerStage + b + 1;
                x = preact
                        ? preactBlock(net, blockName(s, b), x, channels, widths[s], stride, block, total)
                        : basicBlock(net, blockName(s, b), x, channels, widths[s], stride, block, total);
                channels = widths[s];
            }
        }
        if (preact) {
            x = bn(g, format, "final_bn", x, channels, true);
        }
        return x;
    }

    private String preactBlock(
            Layers net, String name, String input, int in, int out, int stride, int block, int total) {
        GraphBuilder g = net.graph();
        CNN2DFormat format = net.format();
        String a = bn(g, format, name + "_bn1", input, in, true);
        conv(g, format, name + "_conv1", a, in, out, 3, stride);
        String h = bn(g, format, name + "_bn2", name + "_conv1", out, true);
        String main = conv(g, format, name + "_conv2", h, out, out, 3, 1);
        String shortcutOut = input;
        if (stride != 1 || in != out) {
            shortcutOut = projection(g, format, name, a, in, out, stride);
        }
        return net.residual(name + "_add", main, shortcutOut, false, block, total);
    }

    /** The shortcut where the shape changes: option A or B. */
    private String projection(
            GraphBuilder g, CNN2DFormat format, String name, String input, int in, int out, int stride) {
        if (shortcut == 'A') {
            if (out < in) {
                throw new IllegalArgumentException("shortcut A cannot reduce channels, " + in + " -> " + out);
            }
            return new Layers(g, format).shortcutA(name + "_short", input, in, out, stride);
        }
        conv(g, format, name + "_proj_conv", input, in, out, 1, stride);
        return bn(g, format, name + "_proj_bn", name + "_proj_conv", out, false);
    }

    private static String blockName(int stage, int block) {
        return "s" + (stage + 1) + "_b" + block;
    }

    private String basicBlock(
            Layers net, String name, String input, int in, int out, int stride, int block, int total) {
        GraphBuilder g = net.graph();
        CNN2DFormat format = net.format();
        conv(g, format, name + "_conv1", input, in, out, 3, stride);
        String h = bn(g, format, name + "_bn1", name + "_conv1", out, true);
        conv(g, format, name + "_conv2", h, out, out, 3, 1);
        String main = bn(g, format, name + "_bn2", name + "_conv2", out, false);
        String shortcutOut = input;
        if (stride != 1 || in != out) {
            shortcutOut = projection(g, format, name, input, in, out, stride);
        }
        return net.residual(name + "_relu", main, shortcutOut, true, block, total);
    }

    /** A bias-free k×k convolution with Kaiming-normal fan-out initialisation (ReLU gain). */
    private static String conv(
            GraphBuilder g, CNN2DFormat format, String name, String input, int in, int out, int k, int stride) {
        double std = Math.sqrt(2.0 / (out * k * k));
        g.addLayer(
                name,
                new FastConvolution(new ConvolutionLayer.Builder(new int[] {k, k}, new int[] {stride, stride})
                        .nIn(in)
                        .nOut(out)
                        .convolutionMode(ConvolutionMode.Same)
                        .hasBias(false)
                        .dataFormat(format)
                        .activation(Activation.IDENTITY)
                        .weightInit(new WeightInitDistribution(new NormalDistribution(0, std)))),
                input);
        return name;
    }

    private static String bn(
            GraphBuilder g, CNN2DFormat format, String name, String input, int channels, boolean relu) {
        g.addLayer(
                name,
                FastBatchNorm.of(channels, format, BN_EPS, BN_DECAY, relu ? Activation.RELU : Activation.IDENTITY),
                input);
        return name;
    }

    @Override
    public String toString() {
        return "resnet-cifar(depth=" + depth() + ", width=" + width + ", shortcut=" + shortcut + ", preact=" + preact
                + ")";
    }
}
