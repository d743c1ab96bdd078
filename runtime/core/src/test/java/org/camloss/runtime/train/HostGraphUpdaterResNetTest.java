package org.camloss.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.camloss.api.Backbone;
import org.camloss.api.InputShape;
import org.camloss.api.LossTerm;
import org.camloss.api.Params;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.backbones.ResNetCifarFactory;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.engine.optim.ClassicalMomentum;
import org.camloss.engine.optim.CoupledWeightDecay;
import org.camloss.engine.optim.HostGraphUpdater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link HostGraphUpdater} on the real ResNet-8 (convolutions, batch norms, residual add + ReLU) as the trainer
 * assembles it: after several steps with coupled weight decay, parameters and updater state are bit for bit those of
 * DL4J's own updater, heavy-ball and Nesterov.
 */
class HostGraphUpdaterResNetTest {
    private static final InputShape SHAPE = new InputShape(1, 12, 12);
    private static final int BATCH = 6;

    private static CamModel resnet8(boolean nesterov, boolean host) {
        ResNetCifarFactory f = new ResNetCifarFactory();
        Backbone backbone = f.create(Params.resolve(f.params(), Map.of(ResNetCifarFactory.DEPTH, 8)));
        if (!host) {
            System.setProperty(HostGraphUpdater.PROPERTY, "dl4j");
        }
        try {
            CamModel m = new ModelAssembler()
                    .seed(7)
                    .updater(new ClassicalMomentum(0.1, null, 0.9, nesterov))
                    .assemble(
                            backbone,
                            SHAPE,
                            10,
                            Objective.of(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1))));
            m.graph().addListeners(new CoupledWeightDecay(5e-4));
            return m;
        } finally {
            System.clearProperty(HostGraphUpdater.PROPERTY);
        }
    }

    private static void step(ComputationGraph g, int i) {
        Nd4j.getRandom().setSeed(50 + i);
        INDArray x = Nd4j.randn(DataType.FLOAT, BATCH, SHAPE.height(), SHAPE.width(), SHAPE.channels());
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 10);
        for (int k = 0; k < BATCH; k++) {
            y.putScalar(k, (k + i) % 10, 1.0);
        }
        g.fit(new INDArray[] {x}, new INDArray[] {y});
    }

    private static int[] bits(INDArray a) {
        float[] v = a.dup('c').data().asFloat();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    @Test
    void resnet8TrainsBitForBitAsWithDl4jsUpdater() {
        for (boolean nesterov : new boolean[] {false, true}) {
            CamModel dl4j = resnet8(nesterov, false);
            CamModel host = resnet8(nesterov, true);
            assertFalse(dl4j.graph().getUpdater() instanceof HostGraphUpdater);
            assertTrue(host.graph().getUpdater() instanceof HostGraphUpdater h && h.takesOver());
            for (int i = 0; i < 3; i++) {
                step(dl4j.graph(), i);
                step(host.graph(), i);
            }
            String what = nesterov ? "Nesterov" : "heavy-ball";
            assertArrayEquals(bits(dl4j.graph().params()), bits(host.graph().params()), what + ": parameters");
            assertArrayEquals(
                    bits(dl4j.graph().getUpdater().getStateViewArray()),
                    bits(host.graph().getUpdater().getStateViewArray()),
                    what + ": updater state");
        }
    }
}
