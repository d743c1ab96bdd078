package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.layers.AddReluPaths;
import org.camloss.api.layers.AddReluVertex;
import org.camloss.api.layers.FastBatchNormLayer;
import org.camloss.api.layers.FastBatchNormPaths;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * ResNet-CIFAR's residual blocks hand their two inputs one gradient array ({@link AddReluVertex}'s shared gradient):
 * every block with a batch-norm or identity shortcut shares, a block whose shortcut is the option-A zero-pad vertex
 * copies, and the gradients of every parameter are the same bit for bit as with copies — with batch norm's training
 * passes on the engine's oneDNN primitives and on the layer's own ND4J path.
 */
class ResNetCifarSharedGradientTest {

    @ParameterizedTest(name = "depth {0}, {1}x{1}x{2}, shortcut {3}, batch norm {6}")
    @CsvSource({
        "8, 28, 1, B, 3, 3, onednn",
        "20, 32, 3, B, 9, 9, onednn",
        "8, 28, 1, A, 3, 1, onednn",
        "20, 16, 3, A, 9, 7, onednn",
        "8, 28, 1, B, 3, 3, dl4j"
    })
    void blocksShareTheGradientWithTheSameResult(
            int depth, int size, int channels, String shortcut, int blocks, int sharing, String batchNorm) {
        String before = System.getProperty(FastBatchNormLayer.PROPERTY);
        System.setProperty(FastBatchNormLayer.PROPERTY, batchNorm); // the layer's own backward path reads it too
        try {
            ComputationGraph g = check(depth, size, channels, shortcut, blocks, sharing);
            for (String path : FastBatchNormPaths.training(g)) {
                assertEquals(batchNorm.equals("dl4j"), path.startsWith("dl4j"), "batch norm ran " + path);
            }
        } finally {
            if (before == null) {
                System.clearProperty(FastBatchNormLayer.PROPERTY);
            } else {
                System.setProperty(FastBatchNormLayer.PROPERTY, before);
            }
        }
    }

    private static ComputationGraph check(int depth, int size, int channels, String shortcut, int blocks, int sharing) {
        Backbone backbone = Support.create(
                new ResNetCifarFactory(),
                Map.of(ResNetCifarFactory.DEPTH, depth, ResNetCifarFactory.SHORTCUT, shortcut));
        ComputationGraph g = new ModelAssembler()
                .seed(1)
                .format(CNN2DFormat.NHWC)
                .updater(new Sgd(0.01))
                .assemble(backbone, new InputShape(channels, size, size), 10, Support.crossEntropy())
                .graph();
        int n = 6;
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, size, size, channels);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 3) % 10, 1.0);
        }
        INDArray copied = gradients(g, x, y, false);
        Map<String, Boolean> off = AddReluPaths.shared(g);
        assertEquals(blocks, off.size(), "residual blocks: " + off);
        assertFalse(off.containsValue(true), "switched off: " + off);
        INDArray shared = gradients(g, x, y, true);
        Map<String, Boolean> on = AddReluPaths.shared(g);
        assertEquals(
                sharing,
                on.values().stream().filter(b -> b).count(),
                "blocks that shared (option A's first blocks of stages 2 and 3 copy): " + on);
        assertEquals(0.0, copied.sub(shared).amaxNumber().doubleValue(), "gradients, shared vs copied");
        return g;
    }

    private static INDArray gradients(ComputationGraph g, INDArray x, INDArray y, boolean share) {
        String before = System.getProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY);
        System.setProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY, Boolean.toString(share));
        try {
            g.setInputs(x);
            g.setLabels(y);
            g.computeGradientAndScore();
            return g.gradient().gradient().dup();
        } finally {
            if (before == null) {
                System.clearProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY);
            } else {
                System.setProperty(AddReluVertex.SHARED_GRADIENT_PROPERTY, before);
            }
        }
    }
}
