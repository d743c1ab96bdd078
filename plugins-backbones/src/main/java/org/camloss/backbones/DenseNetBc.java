package org.camloss.backbones;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.layers.Layers;

/**
 * DenseNet-BC of Huang et al. (2017), "Densely Connected Convolutional Networks": dense blocks of
 * bottleneck layers (BN–ReLU–conv1×1 to 4k – BN–ReLU–conv3×3 to k, the output concatenated to the
 * layer's input), joined by compressing transitions (BN–ReLU–conv1×1 to ⌊θ·C⌋ – average-pool 2×2/2), and a
 * final BN–ReLU.
 *
 * <p>Stem {@code cifar}: a 3×3 convolution to 2k channels, then three dense blocks of (depth − 4) / 6
 * layers each; total stride 4. Stem {@code imagenet}: conv7×7/2 to 2k – BN–ReLU – max-pool 3×3/2, then four
 * blocks as in DenseNet-121 (6, 12, 24, 16 layers), -161 (6, 12, 36, 24), -169 (6, 12, 32, 32) or -201
 * (6, 12, 48, 32); total stride 32.
 *
 * <p>Concatenation is a {@code MergeVertex} per layer (channel axis of the context's format). Vertex names:
 * {@code stem_conv} (+ {@code stem_bn}, {@code stem_pool}); per layer {@code d<block>_l<layer>_bn1},
 * {@code _conv1}, {@code _bn2}, {@code _conv2}, {@code _cat}; per transition {@code t<block>_bn},
 * {@code _conv}, {@code _pool}; {@code final_bn}, the feature map. Immutable.
 */
public final class DenseNetBc implements Backbone {
    private final int depth;
    private final int growth;
    private final double compression;
    private final boolean imagenetStem;
    private final int[] layers;

    /**
     * @param depth        6n + 4 with the CIFAR stem; 121, 161, 169 or 201 with the ImageNet stem
     * @param growth       growth rate k
     * @param compression  θ in (0, 1], the fraction of channels a transition keeps
     * @param imagenetStem true for the ImageNet stem and four blocks, false for the CIFAR stem and three
     */
    public DenseNetBc(int depth, int growth, double compression, boolean imagenetStem) {
        if (imagenetStem) {
            layers = switch (depth) {
                case 121 -> new int[] {6, 12, 24, 16};
                case 161 -> new int[] {6, 12, 36, 24};
                case 169 -> new int[] {6, 12, 32, 32};
                case 201 -> new int[] {6, 12, 48, 32};
                default -> throw new IllegalArgumentException(
                        "depth must be one of [121, 161, 169, 201] with the imagenet stem, found " + depth);
            };
        } else {
            if (depth < 10 || (depth - 4) % 6 != 0) {
                throw new IllegalArgumentException(
                        "depth must be 6n+4 (40, 100, 190, 250) with the cifar stem, found " + depth);
            }
            int n = (depth - 4) / 6;
            layers = new int[] {n, n, n};
        }
        if (growth < 1) {
            throw new IllegalArgumentException("growth rate must be at least 1, found " + growth);
        }
        if (!(compression > 0 && compression <= 1)) {
            throw new IllegalArgumentException("compression must be in (0, 1], found " + compression);
        }
        this.depth = depth;
        this.growth = growth;
        this.compression = compression;
        this.imagenetStem = imagenetStem;
    }

    /** Channels after each block (before its transition), and the stride of each block. */
    private int[][] plan() {
        int[] channels = new int[layers.length];
        int[] strides = new int[layers.length];
        int c = 2 * growth;
        int stride = imagenetStem ? 4 : 1;
        for (int b = 0; b < layers.length; b++) {
            c += layers[b] * growth;
            channels[b] = c;
            strides[b] = stride;
            if (b < layers.length - 1) {
                c = transitionWidth(c);
                stride *= 2;
            }
        }
        return new int[][] {channels, strides};
    }

    private int transitionWidth(int c) {
        return Math.max(1, (int) Math.floor(compression * c + 1e-9));
    }

    @Override
    public BackboneInfo info() {
        int[][] plan = plan();
        List<BackboneInfo.Stage> stages = new ArrayList<>();
        for (int b = 0; b < layers.length; b++) {
            String vertex = b == layers.length - 1 ? "final_bn" : "d" + (b + 1) + "_l" + (layers[b] - 1) + "_cat";
            stages.add(new BackboneInfo.Stage(vertex, plan[0][b], plan[1][b]));
        }
        int last = layers.length - 1;
        return new BackboneInfo(plan[0][last], plan[1][last], stages);
    }

    @Override
    public String build(BackboneContext context) {
        Layers n = new Layers(context.graph(), context.format());
        int c = 2 * growth;
        String x;
        if (imagenetStem) {
            n.conv("stem_conv", context.input(), context.shape().channels(), c, 7, 2);
            n.bn("stem_bn", "stem_conv", c, true);
            x = n.maxPool("stem_pool", "stem_bn", 3, 2);
        } else {
            x = n.conv("stem_conv", context.input(), context.shape().channels(), c, 3, 1);
        }
        for (int b = 0; b < layers.length; b++) {
            for (int l = 0; l < layers[b]; l++) {
                String name = "d" + (b + 1) + "_l" + l;
                n.bn(name + "_bn1", x, c, true);
                n.conv(name + "_conv1", name + "_bn1", c, 4 * growth, 1, 1);
                n.bn(name + "_bn2", name + "_conv1", 4 * growth, true);
                n.conv(name + "_conv2", name + "_bn2", 4 * growth, growth, 3, 1);
                x = n.concat(name + "_cat", x, name + "_conv2");
                c += growth;
            }
            if (b < layers.length - 1) {
                String name = "t" + (b + 1);
                int out = transitionWidth(c);
                n.bn(name + "_bn", x, c, true);
                n.conv(name + "_conv", name + "_bn", c, out, 1, 1);
                x = n.avgPool(name + "_pool", name + "_conv", 2, 2);
                c = out;
            }
        }
        return n.bn("final_bn", x, c, true);
    }

    @Override
    public String toString() {
        return "densenet-bc(depth=" + depth + ", k=" + growth + ", compression=" + compression + ", stem="
                + (imagenetStem ? "imagenet" : "cifar") + ")";
    }
}
