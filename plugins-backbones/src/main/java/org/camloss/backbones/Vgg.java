package org.camloss.backbones;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.layers.Layers;

/**
 * The convolutional part of VGG-11/13/16/19 with batch norm (Simonyan and Zisserman 2015, configurations
 * A, B, D, E), without the fully connected layers: the runtime's GAP + linear head replaces them, as in
 * Zhou et al. (2016) for CAM.
 *
 * <p>Five stages of 3×3 convolutions (64/128/256/512/512 × {@code width} channels), each conv followed by
 * BN–ReLU, each stage by a 2×2/2 max-pool. Without {@code lastPool} the fifth max-pool is dropped and the
 * feature map is twice as large (stride 16 instead of 32), the usual CAM variant. Convolutions have no bias
 * (BN follows), so there are 64 + 128 + … fewer parameters than torchvision's {@code vgg*_bn.features}.
 *
 * <p>Vertex names: {@code s<stage>_c<conv>_conv}, {@code _bn}; {@code s<stage>_pool}. Immutable.
 */
public final class Vgg implements Backbone {
    private static final int[] BASE = {64, 128, 256, 512, 512};

    private final int depth;
    private final int[] convs;
    private final int[] widths;
    private final boolean lastPool;

    /**
     * @param depth    11, 13, 16 or 19
     * @param lastPool whether the fifth max-pool is kept
     * @param width    multiplier of the stage widths
     */
    public Vgg(int depth, boolean lastPool, double width) {
        this.convs = switch (depth) {
            case 11 -> new int[] {1, 1, 2, 2, 2};
            case 13 -> new int[] {2, 2, 2, 2, 2};
            case 16 -> new int[] {2, 2, 3, 3, 3};
            case 19 -> new int[] {2, 2, 4, 4, 4};
            default -> throw new IllegalArgumentException("depth must be one of [11, 13, 16, 19], found " + depth);
        };
        this.depth = depth;
        this.lastPool = lastPool;
        this.widths = new int[BASE.length];
        for (int i = 0; i < BASE.length; i++) {
            widths[i] = ResNetCifar.scaled(BASE[i], width);
        }
    }

    private String stageOutput(int s) {
        return s == 4 && !lastPool ? "s5_c" + (convs[4] - 1) + "_bn" : "s" + (s + 1) + "_pool";
    }

    @Override
    public BackboneInfo info() {
        List<BackboneInfo.Stage> stages = new ArrayList<>();
        int stride = 1;
        for (int s = 0; s < 5; s++) {
            if (s < 4 || lastPool) {
                stride *= 2;
            }
            stages.add(new BackboneInfo.Stage(stageOutput(s), widths[s], stride));
        }
        return new BackboneInfo(widths[4], stride, stages);
    }

    @Override
    public String build(BackboneContext context) {
        Layers n = new Layers(context.graph(), context.format());
        String x = context.input();
        int in = context.shape().channels();
        for (int s = 0; s < 5; s++) {
            for (int c = 0; c < convs[s]; c++) {
                String name = "s" + (s + 1) + "_c" + c;
                n.conv(name + "_conv", x, in, widths[s], 3, 1);
                x = n.bn(name + "_bn", name + "_conv", widths[s], true);
                in = widths[s];
            }
            if (s < 4 || lastPool) {
                x = n.maxPool("s" + (s + 1) + "_pool", x, 2, 2);
            }
        }
        return x;
    }

    @Override
    public String toString() {
        return "vgg(depth=" + depth + ", last_pool=" + lastPool + ", widths=" + java.util.Arrays.toString(widths) + ")";
    }
}
