package org.camloss.backbones;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.layers.Layers;

/**
 * ResNeXt of Xie et al. (2017), "Aggregated Residual Transformations for Deep Neural Networks": bottleneck
 * blocks whose 3×3 convolution is split into {@code cardinality} groups.
 *
 * <p>DL4J 1.0.0-M2.1 has no grouped convolution, and its {@code SubsetVertex} slices dimension 1 only (the
 * height, in NHWC). A block is therefore built in the paper's equivalent form (b) of figure 3: C parallel
 * paths, each conv1×1 (in → d) – BN–ReLU – conv3×3 (d → d, stride), concatenated ({@code MergeVertex}),
 * BN–ReLU over the C·d channels, conv1×1 (C·d → out) – BN, plus the shortcut (identity, or conv1×1 + BN where
 * the shape changes), then ReLU. The C first convolutions of (b) are exactly the grouped form's one conv1×1
 * to C·d (split by output channel), and batch norm is per channel, so parameters and function are those of
 * form (c). It costs 2·C small convolutions per block instead of two: fine for C ≤ 32 at CIFAR sizes, slow
 * for ResNeXt-50 32×4d training on a CPU.
 *
 * <p>Stem {@code cifar} (ResNeXt-29 and other 9n+2 depths): conv3×3 (64) – BN–ReLU, three stages of
 * n = (depth − 2) / 9 blocks, path width d·2^s and outputs 256·2^s, total stride 4. Stem {@code imagenet}
 * (ResNeXt-50 or -101): conv7×7/2 (64) – BN–ReLU – max-pool 3×3/2, four stages of 3/4/6/3 (or 3/4/23/3)
 * blocks, total stride 32. {@code width} scales the stem and output widths (not d).
 *
 * <p>Vertex names: per block {@code s<stage>_b<block>_g<path>_conv1}, {@code _g<path>_bn1},
 * {@code _g<path>_conv2}, then {@code _cat}, {@code _bn2}, {@code _conv3}, {@code _bn3}, {@code _proj_conv},
 * {@code _proj_bn}, {@code _add}, {@code _relu} (the block output). Immutable.
 */
public final class ResNeXt implements Backbone {
    private final int depth;
    private final int cardinality;
    private final int baseWidth;
    private final boolean imagenetStem;
    private final int[] blocks;
    private final int[] outs;
    private final int stem;

    /**
     * @param depth        9n + 2 with the CIFAR stem (29 for ResNeXt-29); 50 or 101 with the ImageNet stem
     * @param cardinality  C, the number of paths (groups)
     * @param baseWidth    d, the width of one path in the first stage
     * @param imagenetStem true for the ImageNet stem and four stages
     * @param width        multiplier of the stem and output widths
     */
    public ResNeXt(int depth, int cardinality, int baseWidth, boolean imagenetStem, double width) {
        if (imagenetStem) {
            blocks = switch (depth) {
                case 50 -> new int[] {3, 4, 6, 3};
                case 101 -> new int[] {3, 4, 23, 3};
                default -> throw new IllegalArgumentException(
                        "depth must be one of [50, 101] with the imagenet stem, found " + depth);
            };
        } else {
            if (depth < 11 || (depth - 2) % 9 != 0) {
                throw new IllegalArgumentException(
                        "depth must be 9n+2 (11, 20, 29) with the cifar stem, found " + depth);
            }
            int n = (depth - 2) / 9;
            blocks = new int[] {n, n, n};
        }
        if (cardinality < 1 || baseWidth < 1) {
            throw new IllegalArgumentException(
                    "cardinality and base width must be at least 1, found " + cardinality + " and " + baseWidth);
        }
        this.depth = depth;
        this.cardinality = cardinality;
        this.baseWidth = baseWidth;
        this.imagenetStem = imagenetStem;
        this.outs = new int[blocks.length];
        for (int s = 0; s < blocks.length; s++) {
            outs[s] = ResNetCifar.scaled(256 << s, width);
        }
        this.stem = ResNetCifar.scaled(64, width);
    }

    private static String name(int stage, int block) {
        return "s" + (stage + 1) + "_b" + block;
    }

    @Override
    public BackboneInfo info() {
        List<BackboneInfo.Stage> stages = new ArrayList<>();
        int stride = imagenetStem ? 4 : 1;
        for (int s = 0; s < blocks.length; s++) {
            if (s > 0) {
                stride *= 2;
            }
            stages.add(new BackboneInfo.Stage(name(s, blocks[s] - 1) + "_relu", outs[s], stride));
        }
        return new BackboneInfo(outs[outs.length - 1], stride, stages);
    }

    /** Stochastic depth and ShakeDrop on the residual branches of every block (before the block's ReLU). */
    @Override
    public java.util.Set<org.camloss.api.NetworkRegularization.Kind> regularizations() {
        return ResNetCifar.RESIDUAL;
    }

    @Override
    public String build(BackboneContext context) {
        Layers n = new Layers(context);
        int total = java.util.Arrays.stream(blocks).sum();
        int block = 0;
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
        for (int s = 0; s < blocks.length; s++) {
            int d = baseWidth << s;
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                block++;
                x = block(n, name(s, b), x, in, d, outs[s], stride, block, total);
                in = outs[s];
            }
        }
        return x;
    }

    private String block(
            Layers n, String name, String input, int in, int d, int out, int stride, int index, int total) {
        String[] paths = new String[cardinality];
        for (int p = 0; p < cardinality; p++) {
            String g = name + "_g" + p;
            n.conv(g + "_conv1", input, in, d, 1, 1);
            n.bn(g + "_bn1", g + "_conv1", d, true);
            paths[p] = n.conv(g + "_conv2", g + "_bn1", d, d, 3, stride);
        }
        String cat = cardinality == 1 ? paths[0] : n.concat(name + "_cat", paths);
        int group = cardinality * d;
        n.bn(name + "_bn2", cat, group, true);
        n.conv(name + "_conv3", name + "_bn2", group, out, 1, 1);
        String main = n.bn(name + "_bn3", name + "_conv3", out, false);
        return ResNet.finish(n, name, input, main, in, out, stride, index, total);
    }

    @Override
    public String toString() {
        return "resnext(depth=" + depth + ", " + cardinality + "x" + baseWidth + "d, stem="
                + (imagenetStem ? "imagenet" : "cifar") + ")";
    }
}
