package org.camloss.backbones;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.LossTerm;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.ResidualDrop;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.testkit.DoublePrecision;
import org.camloss.testkit.TinyNets;
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
 * Gradient checks where a regularizer changes the network: a tiny {@code resnet-cifar} with stochastic depth, with
 * ShakeDrop (α and β ranges equal, so the backward factor is the forward one's derivative), and with dropout before
 * the head; the testkit's residual net with dropout inside its blocks. The masks of a step depend on the model's seed
 * and the iteration only, so every forward pass of the check sees the same ones. BN running statistics are frozen
 * (decay 1) as in {@link ResNetCifarGradientCheckTest}.
 */
@ExtendWith(DoublePrecision.class)
class RegularizedGradientCheckTest {
    private static Regularizer asking(NetworkRegularization network) {
        return new Regularizer() {
            @Override
            public NetworkRegularization network() {
                return network;
            }
        };
    }

    private static Objective objective(NetworkRegularization network) {
        return new Objective(
                ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0)), List.of(asking(network)), List.of());
    }

    private static Backbone tinyResNet() {
        ResNetCifarFactory f = new ResNetCifarFactory();
        return f.create(Params.resolve(f.params(), Map.of("depth", 8, "width", 0.0625)));
    }

    private static void check(Backbone backbone, InputShape shape, NetworkRegularization network) {
        int classes = 3;
        CamModel model = new ModelAssembler()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .assemble(backbone, shape, classes, objective(network));
        ComputationGraph graph = model.graph();
        for (Layer l : graph.getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization bn) {
                bn.setDecay(1.0);
            }
        }
        assertTrue(graph.numParams() < 1000, "too many parameters for a full check: " + graph.numParams());
        graph.getConfiguration().setIterationCount(3);
        Nd4j.getRandom().setSeed(3);
        int n = 6;
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
                "gradient check failed with " + network + " (run with "
                        + "-Dorg.slf4j.simpleLogger.log.org.deeplearning4j.gradientcheck=info to see the parameters)");
    }

    @Test
    void resNetWithStochasticDepth() {
        check(tinyResNet(), new InputShape(2, 8, 8), NetworkRegularization.residual(ResidualDrop.stochasticDepth(0.3)));
    }

    @Test
    void resNetWithShakeDrop() {
        check(
                tinyResNet(),
                new InputShape(2, 8, 8),
                NetworkRegularization.residual(ResidualDrop.shakeDrop(0.3, -0.4, -0.4, -0.4, -0.4)));
    }

    @Test
    void resNetWithDropoutBeforeTheHead() {
        check(tinyResNet(), new InputShape(2, 8, 8), NetworkRegularization.featureDropout(0.4));
    }

    @Test
    void residualNetWithDropoutInsideItsBlocksAndShakeDrop() {
        check(
                TinyNets.residual(),
                TinyNets.SHAPE,
                NetworkRegularization.residual(ResidualDrop.shakeDrop(0.5, 0.6, 0.6, 0.6, 0.6))
                        .withBlockDropout(0.4));
    }
}
