package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.layers.Layers;
import org.nd4j.linalg.activations.Activation;

/**
 * The convolutional part of AlexNet (Krizhevsky et al. 2012) in its single-tower form (torchvision's
 * {@code alexnet.features}), without the fully connected layers: the runtime's GAP + linear head replaces
 * them, as in Zhou et al. (2016) for CAM.
 *
 * <p>conv11×11/4 (64) – max-pool 3×3/2 – conv5×5 (192) – max-pool 3×3/2 – conv3×3 (384) – conv3×3 (256) –
 * conv3×3 (256) – max-pool 3×3/2, widths × {@code width}, every convolution with a bias and ReLU (no batch
 * norm, as in the original; weights Kaiming-normal fan-out, biases zero). Without {@code lastPool} the last
 * max-pool is dropped (stride 16 instead of 32).
 *
 * <p>Vertex names: {@code conv1} … {@code conv5}, {@code pool1}, {@code pool2}, {@code pool5}. Immutable.
 */
public final class AlexNet implements Backbone {
    private final boolean lastPool;
    private final int[] widths;

    /**
     * @param lastPool whether the last max-pool is kept
     * @param width    multiplier of the widths 64/192/384/256/256
     */
    public AlexNet(boolean lastPool, double width) {
        this.lastPool = lastPool;
        int[] base = {64, 192, 384, 256, 256};
        this.widths = new int[base.length];
        for (int i = 0; i < base.length; i++) {
            widths[i] = ResNetCifar.scaled(base[i], width);
        }
    }

    @Override
    public BackboneInfo info() {
        return new BackboneInfo(
                widths[4],
                lastPool ? 32 : 16,
                List.of(
                        new BackboneInfo.Stage("pool1", widths[0], 8),
                        new BackboneInfo.Stage("pool2", widths[1], 16),
                        new BackboneInfo.Stage(lastPool ? "pool5" : "conv5", widths[4], lastPool ? 32 : 16)));
    }

    @Override
    public String build(BackboneContext context) {
        Layers n = new Layers(context.graph(), context.format());
        n.conv("conv1", context.input(), context.shape().channels(), widths[0], 11, 4, true, Activation.RELU, 0);
        n.maxPool("pool1", "conv1", 3, 2);
        n.conv("conv2", "pool1", widths[0], widths[1], 5, 1, true, Activation.RELU, 0);
        n.maxPool("pool2", "conv2", 3, 2);
        n.conv("conv3", "pool2", widths[1], widths[2], 3, 1, true, Activation.RELU, 0);
        n.conv("conv4", "conv3", widths[2], widths[3], 3, 1, true, Activation.RELU, 0);
        n.conv("conv5", "conv4", widths[3], widths[4], 3, 1, true, Activation.RELU, 0);
        return lastPool ? n.maxPool("pool5", "conv5", 3, 2) : "conv5";
    }

    @Override
    public String toString() {
        return "alexnet(last_pool=" + lastPool + ", widths=" + java.util.Arrays.toString(widths) + ")";
    }
}
