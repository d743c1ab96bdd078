package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.layers.Layers;

/**
 * The additive PyramidNet of Han et al. (2017), "Deep Pyramidal Residual Networks", for CIFAR.
 *
 * <p>A 3×3 stem convolution (16 channels) – BN, then three stages of n blocks (the second and third
 * starting with stride 2) whose width grows by α / 3n per block: block i has {@code round(16 + i·α / 3n)}
 * channels (× 4 at a bottleneck's output), and a final BN–ReLU. Basic block (depth 6n + 2):
 * BN–conv3×3–BN–ReLU–conv3×3–BN; bottleneck block (depth 9n + 2): BN–conv1×1–BN–ReLU–conv3×3–BN–ReLU–conv1×1
 * (× 4)–BN. The shortcut is parameter-free: a 2×2/2 average pooling where the block has stride 2, then the
 * new channels zero-padded behind the old ones ({@link ZeroPadShortcutVertex}).
 *
 * <p>Vertex names: {@code stem_conv}, {@code stem_bn}; per block {@code s<stage>_b<block>_bn1},
 * {@code _conv1}, {@code _bn2}, {@code _conv2}, {@code _bn3} (… {@code _conv3}, {@code _bn4} for bottlenecks),
 * {@code _pool} (stride 2), {@code _pad}, {@code _add} (the block output); {@code final_bn}, the feature map.
 * Immutable.
 */
public final class PyramidNet implements Backbone {
    private final int depth;
    private final double alpha;
    private final boolean bottleneck;
    private final int n;

    /**
     * @param depth      6n + 2 for basic blocks, 9n + 2 for bottleneck blocks
     * @param alpha      α, the total widening over the net
     * @param bottleneck bottleneck blocks instead of basic ones
     */
    public PyramidNet(int depth, double alpha, boolean bottleneck) {
        int per = bottleneck ? 9 : 6;
        if (depth < per + 2 || (depth - 2) % per != 0) {
            throw new IllegalArgumentException(
                    bottleneck
                            ? "depth must be 9n+2 (110, 164, 200, 272) with bottleneck blocks, found " + depth
                            : "depth must be 6n+2 (20, 56, 110, 200) with basic blocks, found " + depth);
        }
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a non-negative number, found " + alpha);
        }
        this.depth = depth;
        this.alpha = alpha;
        this.bottleneck = bottleneck;
        this.n = (depth - 2) / per;
    }

    /** Output channels of every block, in order. */
    int[] blockChannels() {
        int[] out = new int[3 * n];
        double dim = 16;
        double rate = alpha / (3.0 * n);
        for (int i = 0; i < out.length; i++) {
            dim += rate;
            out[i] = (int) Math.round(dim) * (bottleneck ? 4 : 1);
        }
        return out;
    }

    private static String name(int stage, int block) {
        return "s" + (stage + 1) + "_b" + block;
    }

    @Override
    public BackboneInfo info() {
        int[] c = blockChannels();
        return new BackboneInfo(
                c[3 * n - 1],
                4,
                List.of(
                        new BackboneInfo.Stage(name(0, n - 1) + "_add", c[n - 1], 1),
                        new BackboneInfo.Stage(name(1, n - 1) + "_add", c[2 * n - 1], 2),
                        new BackboneInfo.Stage("final_bn", c[3 * n - 1], 4)));
    }

    /** Stochastic depth and ShakeDrop on the residual branches of its 3n blocks (ShakeDrop's home family). */
    @Override
    public java.util.Set<org.camloss.api.NetworkRegularization.Kind> regularizations() {
        return ResNetCifar.RESIDUAL;
    }

    @Override
    public String build(BackboneContext context) {
        Layers net = new Layers(context);
        net.conv("stem_conv", context.input(), context.shape().channels(), 16, 3, 1);
        String x = net.bn("stem_bn", "stem_conv", 16, false);
        int in = 16;
        int[] channels = blockChannels();
        for (int s = 0; s < 3; s++) {
            for (int b = 0; b < n; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                int out = channels[s * n + b];
                String name = name(s, b);
                String main =
                        bottleneck ? bottleneck(net, name, x, in, out, stride) : basic(net, name, x, in, out, stride);
                String shortcut = stride == 2 ? net.avgPool(name + "_pool", x, 2, 2) : x;
                if (out != in) {
                    shortcut = net.shortcutPadAfter(name + "_pad", shortcut, in, out);
                }
                x = net.residual(name + "_add", main, shortcut, false, s * n + b + 1, 3 * n);
                in = out;
            }
        }
        return net.bn("final_bn", x, in, true);
    }

    private static String basic(Layers net, String name, String input, int in, int out, int stride) {
        net.bn(name + "_bn1", input, in, false);
        net.conv(name + "_conv1", name + "_bn1", in, out, 3, stride);
        net.bn(name + "_bn2", name + "_conv1", out, true);
        net.conv(name + "_conv2", name + "_bn2", out, out, 3, 1);
        return net.bn(name + "_bn3", name + "_conv2", out, false);
    }

    private static String bottleneck(Layers net, String name, String input, int in, int out, int stride) {
        int planes = out / 4;
        net.bn(name + "_bn1", input, in, false);
        net.conv(name + "_conv1", name + "_bn1", in, planes, 1, 1);
        net.bn(name + "_bn2", name + "_conv1", planes, true);
        net.conv(name + "_conv2", name + "_bn2", planes, planes, 3, stride);
        net.bn(name + "_bn3", name + "_conv2", planes, true);
        net.conv(name + "_conv3", name + "_bn3", planes, out, 1, 1);
        return net.bn(name + "_bn4", name + "_conv3", out, false);
    }

    @Override
    public String toString() {
        return "pyramidnet(depth=" + depth + ", alpha=" + alpha + ", block=" + (bottleneck ? "bottleneck" : "basic")
                + ")";
    }
}
