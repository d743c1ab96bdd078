package org.camloss.backbones;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.layers.Layers;
import org.nd4j.linalg.activations.Activation;

/**
 * MobileNetV2 of Sandler et al. (2018), as in torchvision, without its classifier.
 *
 * <p>Stem conv3×3/2 (32 channels) – BN–ReLU6, then 17 inverted-residual blocks in seven groups
 * (expansion t, channels c, blocks n, stride s): (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
 * (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1), then conv1×1 to 1280 – BN–ReLU6. A block is conv1×1 to
 * round(t·in) – BN–ReLU6 (omitted when t = 1) – depthwise conv3×3/s ({@code DepthwiseConvolution2D}) – BN–ReLU6
 * – conv1×1 to c – BN, plus the input where the stride is 1 and the channels agree. Channels are
 * {@code c · width} rounded to a multiple of 8 (never below 90 % of it, at least 8), as in the reference code; the
 * last convolution keeps 1280 channels for {@code width} ≤ 1. Total stride 32; with the {@code cifar} stem the
 * stem and the 24-channel group have stride 1 (total stride 8).
 *
 * <p>Vertex names: {@code stem_conv}, {@code stem_bn}; per block {@code b<index>_expand_conv},
 * {@code _expand_bn}, {@code _dw_conv}, {@code _dw_bn}, {@code _project_conv}, {@code _project_bn},
 * {@code _add} (residual blocks); {@code last_conv}, {@code last_bn}, the feature map. Immutable.
 */
public final class MobileNetV2 implements Backbone {
    private static final int[][] GROUPS = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}
    };

    private final double width;
    private final boolean cifarStem;
    private final int stemChannels;
    private final int lastChannels;

    /**
     * @param width     width multiplier α
     * @param cifarStem true for stride 1 in the stem and the second group (total stride 8)
     */
    public MobileNetV2(double width, boolean cifarStem) {
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException("width must be a positive number, found " + width);
        }
        this.width = width;
        this.cifarStem = cifarStem;
        this.stemChannels = divisible(32 * width);
        this.lastChannels = divisible(1280 * Math.max(1.0, width));
    }

    /** The reference implementation's {@code _make_divisible(v, 8)}. */
    static int divisible(double v) {
        int n = Math.max(8, (int) (v + 4) / 8 * 8);
        return n < 0.9 * v ? n + 8 : n;
    }

    private int groupStride(int g) {
        return cifarStem && g == 1 ? 1 : GROUPS[g][3];
    }

    @Override
    public BackboneInfo info() {
        List<BackboneInfo.Stage> stages = new ArrayList<>();
        int stride = cifarStem ? 1 : 2;
        int block = 0;
        for (int g = 0; g < GROUPS.length; g++) {
            stride *= groupStride(g);
            block += GROUPS[g][2];
            boolean strideChangesNext = g + 1 < GROUPS.length && groupStride(g + 1) > 1;
            if (strideChangesNext) {
                stages.add(new BackboneInfo.Stage(blockOutput(block - 1, g), divisible(GROUPS[g][1] * width), stride));
            }
        }
        stages.add(new BackboneInfo.Stage("last_bn", lastChannels, stride));
        return new BackboneInfo(lastChannels, stride, stages);
    }

    /** The output vertex of block {@code index}, the last of group {@code g}. */
    private String blockOutput(int index, int g) {
        int in = index == 0 ? stemChannels : divisible(GROUPS[g][1] * width);
        boolean firstOfGroup = index == firstBlock(g);
        if (firstOfGroup) {
            in = g == 0 ? stemChannels : divisible(GROUPS[g - 1][1] * width);
        }
        int out = divisible(GROUPS[g][1] * width);
        boolean residual = (!firstOfGroup || groupStride(g) == 1) && in == out;
        return "b" + index + (residual ? "_add" : "_project_bn");
    }

    private static int firstBlock(int g) {
        int i = 0;
        for (int k = 0; k < g; k++) {
            i += GROUPS[k][2];
        }
        return i;
    }

    @Override
    public String build(BackboneContext context) {
        Layers n = new Layers(context.graph(), context.format());
        n.conv("stem_conv", context.input(), context.shape().channels(), stemChannels, 3, cifarStem ? 1 : 2);
        String x = n.bn("stem_bn", "stem_conv", stemChannels, Activation.RELU6);
        int in = stemChannels;
        int index = 0;
        for (int g = 0; g < GROUPS.length; g++) {
            int out = divisible(GROUPS[g][1] * width);
            for (int b = 0; b < GROUPS[g][2]; b++) {
                int stride = b == 0 ? groupStride(g) : 1;
                x = block(n, "b" + index, x, in, out, GROUPS[g][0], stride);
                in = out;
                index++;
            }
        }
        n.conv("last_conv", x, in, lastChannels, 1, 1);
        return n.bn("last_bn", "last_conv", lastChannels, Activation.RELU6);
    }

    private static String block(Layers n, String name, String input, int in, int out, int expansion, int stride) {
        int hidden = (int) Math.round((double) in * expansion);
        String h = input;
        if (expansion != 1) {
            n.conv(name + "_expand_conv", input, in, hidden, 1, 1);
            h = n.bn(name + "_expand_bn", name + "_expand_conv", hidden, Activation.RELU6);
        }
        n.depthwise(name + "_dw_conv", h, hidden, stride);
        n.bn(name + "_dw_bn", name + "_dw_conv", hidden, Activation.RELU6);
        n.conv(name + "_project_conv", name + "_dw_bn", hidden, out, 1, 1);
        String y = n.bn(name + "_project_bn", name + "_project_conv", out, false);
        return stride == 1 && in == out ? n.add(name + "_add", y, input) : y;
    }

    @Override
    public String toString() {
        return "mobilenet-v2(width=" + width + ", stem=" + (cifarStem ? "cifar" : "imagenet") + ")";
    }
}
