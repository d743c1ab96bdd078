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
        step(g, SHAPE, 10, i);
    }

    private static void step(ComputationGraph g, InputShape shape, int classes, int i) {
        Nd4j.getRandom().setSeed(50 + i);
        INDArray x = Nd4j.randn(DataType.FLOAT, BATCH, shape.height(), shape.width(), shape.channels());
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, classes);
        for (int k = 0; k < BATCH; k++) {
            y.putScalar(k, (k + i) % classes, 1.0);
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

    private static final Map<String, Object> RUN = Map.of(
            "name", "host-updater",
            "seed", 5,
            "data", Map.of("id", "shapes", "params", Map.of("train", 32, "test", 16, "size", 16)),
            "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.25)),
            "loss", Map.of("id", "cam-loss"),
            "train", Map.of("epochs", 1, "batch_size", 8, "progress", false));

    @Test
    void theTrainersWiringInstallsItForNewAndResumedRunsAndNotForAdam() throws Exception {
        org.camloss.runtime.Camloss camloss =
                org.camloss.runtime.Camloss.builder().build();
        org.camloss.runtime.config.ExperimentConfig config = camloss.config(RUN, List.of());
        org.camloss.runtime.wiring.ExperimentParts parts =
                org.camloss.runtime.wiring.ExperimentParts.make(camloss.registry(), config);
        ComputationGraph fresh = org.camloss.runtime.wiring.Wiring.training(config, parts, java.time.Duration.ZERO)
                .model()
                .graph();
        assertTrue(fresh.getUpdater() instanceof HostGraphUpdater h && h.takesOver(), "a new run");
        var info = parts.dataset().info();
        step(fresh, info.shape(), info.numClasses(), 0);

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(fresh, bytes, true);
        ComputationGraph checkpoint = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
                new java.io.ByteArrayInputStream(bytes.toByteArray()), true);
        ComputationGraph resumed = org.camloss.runtime.wiring.Wiring.resumed(
                        config, parts, java.time.Duration.ZERO, checkpoint)
                .model()
                .graph();
        assertTrue(resumed.getUpdater() instanceof HostGraphUpdater h && h.takesOver(), "a resumed run");
        assertArrayEquals(
                bits(fresh.getUpdater().getStateViewArray()),
                bits(resumed.getUpdater().getStateViewArray()),
                "the checkpoint's updater state");

        org.camloss.runtime.config.ExperimentConfig adam = camloss.config(RUN, List.of("optimizer.id=adam"));
        ComputationGraph adamGraph = org.camloss.runtime.wiring.Wiring.training(
                        adam,
                        org.camloss.runtime.wiring.ExperimentParts.make(camloss.registry(), adam),
                        java.time.Duration.ZERO)
                .model()
                .graph();
        assertFalse(adamGraph.getUpdater() instanceof HostGraphUpdater, "Adam");
    }
}
