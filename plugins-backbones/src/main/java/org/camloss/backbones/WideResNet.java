package org.camloss.backbones;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.layers.Layers;
import org.nd4j.linalg.activations.Activation;

/**
 * The wide residual network WRN-d-k of Zagoruyko and Komodakis (2016), "Wide Residual Networks".
 *
 * <p>A 3×3 stem convolution (16 channels), then three stages of {@code n = (d − 4) / 6} pre-activation
 * blocks at widths 16k/32k/64k, the second and third starting with stride 2, and a final BN–ReLU. A block
 * is BN–ReLU–conv3×3–BN–ReLU–dropout–conv3×3 plus the shortcut; where the shape changes the shortcut is a
 * 1×1 convolution (no BN) of the pre-activated input, as in the authors' code, elsewhere the identity.
 * Dropout (probability {@code dropout}) acts on the input of the second convolution, in training only; when the
 * backbone's own {@code dropout} is 0, a {@code dropout} regularizer's {@code block_p} does the same through a
 * {@code DropoutVertex} {@code _drop} (masks from the run's seed and the step).
 *
 * <p>Vertex names: {@code stem_conv}; per block {@code s<stage>_b<block>_bn1}, {@code _conv1},
 * {@code _bn2}, {@code _conv2}, {@code _proj_conv} (where the shape changes) and {@code _add}, the block
 * output; {@code final_bn}, the feature map. Immutable.
 */
public final class WideResNet implements Backbone {
    private final int depth;
    private final int widen;
    private final double dropout;
    private final int[] widths;

    /**
     * @param depth   6n + 4
     * @param widen   k, the widening factor
     * @param dropout probability of dropping a unit between the two convolutions of a block, in [0, 1)
     */
    public WideResNet(int depth, int widen, double dropout) {
        if (depth < 10 || (depth - 4) % 6 != 0) {
            throw new IllegalArgumentException("depth must be 6n+4 (10, 16, 22, 28, 40), found " + depth);
        }
        if (widen < 1) {
            throw new IllegalArgumentException("widen factor must be at least 1, found " + widen);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), found " + dropout);
        }
        this.depth = depth;
        this.widen = widen;
        this.dropout = dropout;
        this.widths = new int[] {16 * widen, 32 * widen, 64 * widen};
    }

    private int blocks() {
        return (depth - 4) / 6;
    }

    @Override
    public BackboneInfo info() {
        List<BackboneInfo.Stage> stages = new ArrayList<>();
        int stride = 1;
        for (int s = 0; s < 3; s++) {
            if (s > 0) {
                stride *= 2;
            }
            stages.add(new BackboneInfo.Stage(s == 2 ? "final_bn" : name(s, blocks() - 1) + "_add", widths[s], stride));
        }
        return new BackboneInfo(widths[2], stride, stages);
    }

    private static String name(int stage, int block) {
        return "s" + (stage + 1) + "_b" + block;
    }

    /**
     * Stochastic depth and ShakeDrop on the residual branches of its blocks, and dropout inside its blocks (between the
     * two convolutions) unless its own {@code dropout} already sets that.
     */
    @Override
    public Set<NetworkRegularization.Kind> regularizations() {
        return dropout > 0
                ? ResNetCifar.RESIDUAL
                : Set.of(
                        NetworkRegularization.Kind.STOCHASTIC_DEPTH,
                        NetworkRegularization.Kind.SHAKEDROP,
                        NetworkRegularization.Kind.BLOCK_DROPOUT);
    }

    @Override
    public String build(BackboneContext context) {
        Layers n = new Layers(context);
        // its own dropout as always (DL4J's input dropout of the second convolution); a regularizer's through a
        // DropoutVertex in the same place, with masks from the run's seed and the step
        double asked = dropout > 0 ? 0 : context.regularization().blockDropout();
        int total = 3 * blocks();
        String x = n.conv("stem_conv", context.input(), context.shape().channels(), 16, 3, 1);
        int in = 16;
        for (int s = 0; s < 3; s++) {
            for (int b = 0; b < blocks(); b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                int out = widths[s];
                String name = name(s, b);
                String a = n.bn(name + "_bn1", x, in, true);
                n.conv(name + "_conv1", a, in, out, 3, stride);
                String h = n.dropout(name + "_drop", n.bn(name + "_bn2", name + "_conv1", out, true), asked);
                String main = n.conv(name + "_conv2", h, out, out, 3, 1, false, Activation.IDENTITY, dropout);
                String shortcut = x;
                if (stride != 1 || in != out) {
                    shortcut = n.conv(name + "_proj_conv", a, in, out, 1, stride);
                }
                x = n.residual(name + "_add", main, shortcut, false, s * blocks() + b + 1, total);
                in = out;
            }
        }
        return n.bn("final_bn", x, in, true);
    }

    @Override
    public String toString() {
        return "wide-resnet(WRN-" + depth + "-" + widen + ", dropout=" + dropout + ")";
    }
}
