package org.camloss.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.camloss.api.LossTerm;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.TestNets;
import org.camloss.engine.head.CamHead;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.deallocation.DeallocatorService;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;

/**
 * {@link HostGraphUpdater} against DL4J's own graph updater on the engine's conv–BN–add-ReLU model: bit for bit the
 * same parameters (batch norm's running statistics included) and updater state after several steps, where it takes
 * over and where it must not; checkpoints written by either path continue on the other; and an update makes no call
 * into ND4J.
 */
class HostGraphUpdaterTest {
    private static final int BATCH = 5;
    private static final int STEPS = 4;

    private static Objective crossEntropy() {
        return Objective.of(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1)));
    }

    private static ClassicalMomentum momentum(boolean nesterov) {
        // a schedule, so that the learning rate changes from step to step as in training
        return new ClassicalMomentum(0.1, new CosineSchedule(0.1, 0.01, 2 * STEPS, 1), 0.9, nesterov);
    }

    /** The model as the trainer assembles it, with {@link HostGraphUpdater} installed or (host false) DL4J's updater. */
    private static CamModel model(DataType type, IUpdater updater, boolean host, double headLrMult, String freeze) {
        String before = System.getProperty(HostGraphUpdater.PROPERTY);
        if (!host) {
            System.setProperty(HostGraphUpdater.PROPERTY, "dl4j");
        }
        try {
            return new ModelAssembler()
                    .seed(3)
                    .dataType(type)
                    .updater(updater)
                    .learningRateMultipliers(1, headLrMult)
                    .freezeUpTo(freeze, false)
                    .assemble(TestNets.convBnAddRelu(), TestNets.SHAPE, TestNets.CLASSES, crossEntropy());
        } finally {
            if (before == null) {
                System.clearProperty(HostGraphUpdater.PROPERTY);
            } else {
                System.setProperty(HostGraphUpdater.PROPERTY, before);
            }
        }
    }

    private static void train(ComputationGraph g, DataType type, int from, int to) {
        for (int i = from; i < to; i++) {
            g.fit(new INDArray[] {TestNets.images(BATCH, type, 100 + i)}, new INDArray[] {TestNets.oneHot(BATCH, type)
            });
        }
    }

    /** The raw bits of every element (float or double), in order. */
    private static long[] bits(INDArray a) {
        INDArray c = a.dup('c');
        if (c.dataType() == DataType.FLOAT) {
            float[] v = c.data().asFloat();
            long[] out = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = Float.floatToRawIntBits(v[i]);
            }
            return out;
        }
        double[] v = c.data().asDouble();
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Double.doubleToRawLongBits(v[i]);
        }
        return out;
    }

    private static void assertSameState(ComputationGraph expected, ComputationGraph actual, String what) {
        assertArrayEquals(bits(expected.params()), bits(actual.params()), what + ": parameters");
        assertArrayEquals(
                bits(expected.getUpdater().getStateViewArray()),
                bits(actual.getUpdater().getStateViewArray()),
                what + ": updater state");
    }

    private static boolean takesOver(ComputationGraph g) {
        return g.getUpdater() instanceof HostGraphUpdater h && h.takesOver();
    }

    @Test
    void momentumStepsAreBitIdenticalToDl4jsUpdater() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean nesterov : new boolean[] {false, true}) {
                for (double decay : new double[] {0, 5e-4}) {
                    // a head learning-rate multiplier makes the head its own updater block
                    double headLrMult = decay > 0 ? 2 : 1;
                    String what = type + (nesterov ? " Nesterov" : " heavy-ball") + " weight decay " + decay;
                    CamModel dl4j = model(type, momentum(nesterov), false, headLrMult, null);
                    CamModel host = model(type, momentum(nesterov), true, headLrMult, null);
                    assertFalse(dl4j.graph().getUpdater() instanceof HostGraphUpdater, what);
                    assertTrue(takesOver(host.graph()), what);
                    if (decay > 0) {
                        dl4j.graph().addListeners(new CoupledWeightDecay(decay));
                        host.graph().addListeners(new CoupledWeightDecay(decay));
                    }
                    assertSameState(dl4j.graph(), host.graph(), what + " before training");
                    for (int i = 0; i < STEPS; i++) {
                        train(dl4j.graph(), type, i, i + 1);
                        train(host.graph(), type, i, i + 1);
                        assertSameState(dl4j.graph(), host.graph(), what + " after step " + (i + 1));
                    }
                    assertEquals(dl4j.graph().score(), host.graph().score(), 0.0, what + ": score");
                }
            }
        }
    }

    @Test
    void frozenLayersOnNoOpAreHandledToo() {
        // DL4J's FrozenLayer updates through NoOp: divided by the minibatch, then left as it is
        CamModel dl4j = model(DataType.FLOAT, momentum(false), false, 1, "a_bn");
        CamModel host = model(DataType.FLOAT, momentum(false), true, 1, "a_bn");
        assertTrue(takesOver(host.graph()));
        train(dl4j.graph(), DataType.FLOAT, 0, STEPS);
        train(host.graph(), DataType.FLOAT, 0, STEPS);
        assertSameState(dl4j.graph(), host.graph(), "frozen up to a_bn");
    }

    @Test
    void adamIsLeftToDl4j() {
        CamModel dl4j = model(DataType.FLOAT, new Adam(1e-2), false, 1, null);
        CamModel host = model(DataType.FLOAT, new Adam(1e-2), true, 1, null);
        assertFalse(HostGraphUpdater.install(host.graph()));
        assertFalse(host.graph().getUpdater() instanceof HostGraphUpdater);
        train(dl4j.graph(), DataType.FLOAT, 0, STEPS);
        train(host.graph(), DataType.FLOAT, 0, STEPS);
        assertSameState(dl4j.graph(), host.graph(), "Adam");
    }

    @Test
    void configuredRegularizationIsLeftToDl4j() {
        CamModel[] m = new CamModel[2];
        for (int k = 0; k < 2; k++) {
            m[k] = model(DataType.FLOAT, momentum(false), false, 1, null);
            for (org.deeplearning4j.nn.api.Layer l : m[k].graph().getLayers()) {
                if (l.conf().getLayer() instanceof BaseLayer b && l.numParams() > 0) {
                    b.setRegularization(List.of(new L2Regularization(1e-2)));
                    break;
                }
            }
        }
        assertFalse(HostGraphUpdater.install(m[1].graph()), "L2 on the first layer");
        assertFalse(m[1].graph().getUpdater() instanceof HostGraphUpdater);
        train(m[0].graph(), DataType.FLOAT, 0, STEPS);
        train(m[1].graph(), DataType.FLOAT, 0, STEPS);
        assertSameState(m[0].graph(), m[1].graph(), "L2");
    }

    @Test
    void theSwitchRunsDl4jsUpdateAtTheNextStep() {
        CamModel dl4j = model(DataType.FLOAT, momentum(true), false, 1, null);
        CamModel host = model(DataType.FLOAT, momentum(true), true, 1, null);
        train(dl4j.graph(), DataType.FLOAT, 0, 2);
        train(host.graph(), DataType.FLOAT, 0, 1);
        System.setProperty(HostGraphUpdater.PROPERTY, "dl4j");
        try {
            train(host.graph(), DataType.FLOAT, 1, 2);
        } finally {
            System.clearProperty(HostGraphUpdater.PROPERTY);
        }
        assertTrue(host.graph().getUpdater() instanceof HostGraphUpdater);
        assertSameState(dl4j.graph(), host.graph(), "one step each way");
    }

    /** Writes {@code m} as a checkpoint does, reads it back as a resumed run does and installs the updater. */
    private static CamModel roundTrip(CamModel m) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(m.graph(), bytes, true);
        ComputationGraph restored =
                ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        CamHead head = (CamHead) restored.getLayer(CamModel.HEAD).conf().getLayer();
        CamModel back = new CamModel(restored, head.getFeatureVertex(), m.backboneInfo(), m.inputShape());
        back.setObjective(crossEntropy());
        restored.addListeners(new CoupledWeightDecay(5e-4));
        assertTrue(HostGraphUpdater.install(restored));
        return back;
    }

    @Test
    void aCheckpointFromEitherPathContinuesAsUninterruptedTraining() throws IOException {
        CamModel uninterrupted = model(DataType.FLOAT, momentum(false), true, 1, null);
        uninterrupted.graph().addListeners(new CoupledWeightDecay(5e-4));
        train(uninterrupted.graph(), DataType.FLOAT, 0, 2 * STEPS);
        for (boolean hostBefore : new boolean[] {true, false}) {
            CamModel first = model(DataType.FLOAT, momentum(false), hostBefore, 1, null);
            first.graph().addListeners(new CoupledWeightDecay(5e-4));
            train(first.graph(), DataType.FLOAT, 0, STEPS);
            CamModel resumed = roundTrip(first);
            assertTrue(takesOver(resumed.graph()));
            train(resumed.graph(), DataType.FLOAT, STEPS, 2 * STEPS);
            assertSameState(
                    uninterrupted.graph(),
                    resumed.graph(),
                    "saved after " + (hostBefore ? "host loops" : "DL4J's updater") + ", resumed on host loops");
        }
    }

    /** Calls into ND4J's op executioner (each one or more native calls) while {@code r} runs. */
    private static long executionerCalls(Runnable r) throws ReflectiveOperationException {
        Field f = Nd4j.class.getDeclaredField("OP_EXECUTIONER_INSTANCE");
        f.setAccessible(true);
        OpExecutioner real = (OpExecutioner) f.get(null);
        AtomicLong calls = new AtomicLong();
        OpExecutioner counting = (OpExecutioner) Proxy.newProxyInstance(
                HostGraphUpdaterTest.class.getClassLoader(), new Class<?>[] {OpExecutioner.class}, (p, m, a) -> {
                    String n = m.getName();
                    if (m.getDeclaringClass() != Object.class && !n.startsWith("get") && !n.startsWith("is")) {
                        calls.incrementAndGet();
                    }
                    try {
                        return m.invoke(real, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        f.set(null, counting);
        try {
            r.run();
        } finally {
            f.set(null, real);
        }
        return calls.get();
    }

    private static long registrations(Runnable r) throws ReflectiveOperationException {
        Field counter = DeallocatorService.class.getDeclaredField("counter");
        counter.setAccessible(true);
        AtomicLong registered = (AtomicLong) counter.get(Nd4j.getDeallocatorService());
        long before = registered.get();
        r.run();
        return registered.get() - before;
    }

    @Test
    void anUpdateMakesNoCallIntoNd4j() throws ReflectiveOperationException {
        CamModel dl4j = model(DataType.FLOAT, momentum(false), false, 1, null);
        CamModel host = model(DataType.FLOAT, momentum(false), true, 1, null);
        train(dl4j.graph(), DataType.FLOAT, 0, 2);
        train(host.graph(), DataType.FLOAT, 0, 2);
        long[] calls = new long[2];
        long[] registered = new long[2];
        CamModel[] models = {dl4j, host};
        for (int k = 0; k < 2; k++) {
            ComputationGraph g = models[k].graph();
            ComputationGraphUpdater u = g.getUpdater();
            Runnable update = () -> u.update(g.gradient(), 2, 0, BATCH, LayerWorkspaceMgr.noWorkspaces());
            update.run();
            calls[k] = executionerCalls(update);
            registered[k] = registrations(update);
        }
        // DL4J: shape information for views of every parameter (twice, for regularization that is not configured)
        // and a division per block
        assertTrue(calls[0] > 30, "DL4J's updater, calls per update: " + calls[0]);
        assertEquals(0, calls[1], "host loops, calls per update");
        assertEquals(0, registered[1], "host loops, buffers registered per update (DL4J: " + registered[0] + ")");
    }
}
