package org.camloss.backbones;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.layers.Layers;

/**
 * The ImageNet ResNet of He et al. (2016): ResNet-18/34 with basic blocks, ResNet-50/101/152 with
 * bottleneck blocks (expansion 4), as in torchvision (stride in the bottleneck's 3×3 convolution, "v1.5").
 *
 * <p>Stem {@code imagenet}: conv7×7/2 (64) – BN–ReLU – max-pool 3×3/2, total stride 32. Stem {@code cifar}
 * for small inputs: conv3×3/1 – BN–ReLU, no max-pool, total stride 8. Then four stages at widths
 * 64/128/256/512 × {@code width} (× 4 at a bottleneck's output), stages 2–4 starting with stride 2. The
 * shortcut is the identity, or a 1×1 convolution + BN where the shape changes.
 *
 * <p>Vertex names: {@code stem_conv}, {@code stem_bn}, {@code stem_pool}; per block
 * {@code s<stage>_b<block>_conv1}, {@code _bn1}, … {@code _conv3}, {@code _bn3} (bottleneck),
 * {@code _proj_conv}, {@code _proj_bn}, {@code _add} and {@code _relu}, the block output. Immutable.
 */
public final class ResNet implements Backbone {
    private static final int[] BASE_WIDTHS = {64, 128, 256, 512};

    private final int depth;
    private final int[] blocks;
    private final boolean bottleneck;
    private final boolean imagenetStem;
    private final int[] widths;

    /**
     * @param depth        18, 34, 50, 101 or 152
     * @param imagenetStem true for the 7×7/2 + max-pool stem, false for the 3×3/1 CIFAR stem
     * @param width        multiplier of the stage widths 64/128/256/512
     */
    public ResNet(int depth, boolean imagenetStem, double width) {
        this.depth = depth;
        this.blocks = switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34, 50 -> new int[] {3, 4, 6, 3};
            case 101 -> new int[] {3, 4, 23, 3};
            case 152 -> new int[] {3, 8, 36, 3};
            default -> throw new IllegalArgumentException(
                    "depth must be one of [18, 34, 50, 101, 152], found " + depth);
        };
        this.bottleneck = depth >= 50;
        this.imagenetStem = imagenetStem;
        this.widths = new int[BASE_WIDTHS.length];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = ResNetCifar.scaled(BASE_WIDTHS[i], width);
        }
    }

    /** Output channels of stage {@code s} (0-based). */
    private int outChannels(int s) {
        return bottleneck ? 4 * widths[s] : widths[s];
    }

    @Override
    public BackboneInfo info() {
        List<BackboneInfo.Stage> stages = new ArrayList<>();
        int stride = imagenetStem ? 4 : 1;
        for (int s = 0; s < widths.length; s++) {
            if (s > 0) {
                stride *= 2;
            }
            stages.add(new BackboneInfo.Stage(name(s, blocks[s] - 1) + "_relu", outChannels(s), stride));
        }
        return new BackboneInfo(outChannels(widths.length - 1), stride, stages);
    }

    private static String name(int stage, int block) {
        return "s" + (stage + 1) + "_b" + block;
    }

    /** Stochastic depth and ShakeDrop on the residual branches of every block (before the block's ReLU). */
    @Override
    public Set<NetworkRegularization.Kind> regularizations() {
        return ResNetCifar.RESIDUAL;
    }

    @Override
    public String build(BackboneContext context) {
        Layers n = new Layers(context);
        int total = java.util.Arrays.stream(blocks).sum();
        int block = 0;
        int stem = widths[0];
        String x;
        if (imagenetStem) {
            n.conv("stem_conv", context.input(), context.shape().channels(), stem, 7, 2);
            n.bn("stem_bn", "stem_conv", stem, true);
            x = n.maxPool("stem_pool", "stem_bn", 3, 2);
        } else {
            n.conv("stem_conv", context.input(), context.shape().channels(), stem, 3, 1);
            x = n.bn("stem_bn", "stem_conv", stem, true);
        }
        int in = stem;
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                block++;
                x = bottleneck
                        ? bottleneck(n, name(s, b), x, in, widths[s], stride, block, total)
                        : basic(n, name(s, b), x, in, widths[s], stride, block, total);
                in = outChannels(s);
            }
        }
        return x;
    }

    private static String basic(
            Layers n, String name, String input, int in, int out, int stride, int block, int total) {
        n.conv(name + "_conv1", input, in, out, 3, stride);
        n.bn(name + "_bn1", name + "_conv1", out, true);
        n.conv(name + "_conv2", name + "_bn1", out, out, 3, 1);
        String main = n.bn(name + "_bn2", name + "_conv2", out, false);
        return finish(n, name, input, main, in, out, stride, block, total);
    }

    private static String bottleneck(
            Layers n, String name, String input, int in, int width, int stride, int block, int total) {
        int out = 4 * width;
        n.conv(name + "_conv1", input, in, width, 1, 1);
        n.bn(name + "_bn1", name + "_conv1", width, true);
        n.conv(name + "_conv2", name + "_bn1", width, width, 3, stride);
        n.bn(name + "_bn2", name + "_conv2", width, true);
        n.conv(name + "_conv3", name + "_bn2", width, out, 1, 1);
        String main = n.bn(name + "_bn3", name + "_conv3", out, false);
        return finish(n, name, input, main, in, out, stride, block, total);
    }

    /**
     * Adds the shortcut (projection where the shape changes), the sum and the ReLU, with the context's treatment of
     * residual branches for block {@code block} of {@code total}.
     */
    static String finish(
            Layers n, String name, String input, String main, int in, int out, int stride, int block, int total) {
        String shortcut = input;
        if (stride != 1 || in != out) {
            n.conv(name + "_proj_conv", input, in, out, 1, stride);
            shortcut = n.bn(name + "_proj_bn", name + "_proj_conv", out, false);
        }
        return n.residual(name + "_relu", main, shortcut, true, block, total);
    }

    @Override
    public String toString() {
        return "resnet(depth=" + depth + ", stem=" + (imagenetStem ? "imagenet" : "cifar") + ", widths="
                + java.util.Arrays.toString(widths) + ")";
    }
}
