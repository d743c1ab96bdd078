package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.camloss.api.InputShape;
import org.camloss.api.LossTerm;
import org.camloss.api.Params;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.testkit.DoublePrecision;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Back-propagated gradients of a tiny {@code resnet-cifar} (depth 8, widths 1/2/4, plus the camloss head)
 * match central finite differences, in double precision.
 *
 * <p>Two DL4J M2.1 quirks shape this test. {@link GradientCheckUtil} checks every parameter of a
 * {@link ComputationGraph} (its {@code subset} option only applies to {@code MultiLayerNetwork}), so the
 * net is kept at about 400 parameters. And it names parameters by {@link ComputationGraph#paramTable()}
 * order (vertex insertion order) while {@link ComputationGraph#params()} is laid out in topological
 * order; in a block with a projection shortcut the two differ, so {@code excludeParams} would skip the
 * wrong ranges. Instead of excluding the BN running statistics by name, their decay is set to 1: DL4J
 * then reports a zero "gradient" (update) for them, and their finite difference is zero as well
 * (training-mode BN uses batch statistics), so they pass trivially wherever they lie.
 */
@ExtendWith(DoublePrecision.class)
class ResNetCifarGradientCheckTest {

    @Test
    void gradientsMatchFiniteDifferences() {
        ResNetCifarFactory factory = new ResNetCifarFactory();
        InputShape shape = new InputShape(2, 8, 8);
        int classes = 3;
        CamModel model = new ModelAssembler()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .assemble(
                        factory.create(Params.resolve(factory.params(), Map.of("depth", 8, "width", 0.0625))),
                        shape,
                        classes,
                        Objective.of(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0))));
        ComputationGraph graph = model.graph();
        int bnLayers = 0;
        for (Layer l : graph.getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization bn) {
                bn.setDecay(1.0);
                bnLayers++;
            }
        }
        assertEquals(9, bnLayers, "BN layers of ResNet-8: stem, 2 + 3 + 3 in the blocks");
        assertTrue(graph.numParams() < 500, "too many parameters for a full check: " + graph.numParams());

        Nd4j.getRandom().setSeed(3);
        int n = 4;
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, shape.height(), shape.width(), shape.channels())
                .subi(0.5);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % classes, 1.0);
        }

        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(graph)
                .inputs(new INDArray[] {x})
                .labels(new INDArray[] {labels})
                .epsilon(1e-6)
                .maxRelError(1e-3)
                .minAbsoluteError(1e-8));
        assertTrue(
                ok,
                "gradient check failed (run with "
                        + "-Dorg.slf4j.simpleLogger.log.org.deeplearning4j.gradientcheck=info to see the parameters)");
    }
}
