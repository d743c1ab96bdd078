package org.camloss.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.camloss.api.LossTerm;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.TestNets;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;

class CoupledWeightDecayTest {
    private static Map<String, INDArray> stepFrom(double lambda) {
        CamModel m = TestNets.model(
                Objective.of(ctx -> java.util.List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1))),
                DataType.DOUBLE,
                new Sgd(0.5),
                1);
        if (lambda > 0) {
            m.graph().addListeners(new CoupledWeightDecay(lambda));
        }
        Map<String, INDArray> before = new java.util.LinkedHashMap<>();
        m.graph().paramTable().forEach((k, v) -> before.put(k, v.dup()));
        m.graph().fit(new INDArray[] {TestNets.images(4, DataType.DOUBLE, 2)}, new INDArray[] {
            TestNets.oneHot(4, DataType.DOUBLE)
        });
        Map<String, INDArray> delta = new java.util.LinkedHashMap<>();
        m.graph().paramTable().forEach((k, v) -> delta.put(k, v.sub(before.get(k))));
        delta.put("__before_head_b", before.get("head_b"));
        delta.put("__before_conv_W", before.get("conv_W"));
        return delta;
    }

    @Test
    void decayIsAddedToTheGradientOfEveryParameterBeforeTheUpdate() {
        Map<String, INDArray> plain = stepFrom(0);
        Map<String, INDArray> decayed = stepFrom(0.1);
        for (String key : new String[] {"conv_W", "head_b"}) {
            // w' = w - lr (g + lambda w)  =>  delta_decayed - delta_plain = -lr lambda w
            INDArray expected = decayed.get("__before_" + key).mul(-0.5 * 0.1);
            INDArray actual = decayed.get(key).sub(plain.get(key));
            assertEquals(0.0, actual.sub(expected).norm2Number().doubleValue(), 1e-10, key);
        }
    }

    private static CamModel steppedConvBnModel(DataType type) {
        CamModel m = new org.camloss.engine.model.ModelAssembler()
                .seed(3)
                .dataType(type)
                .updater(new Sgd(0.1))
                .assemble(
                        TestNets.convBnAddRelu(),
                        TestNets.SHAPE,
                        TestNets.CLASSES,
                        Objective.of(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1))));
        m.graph().fit(new INDArray[] {TestNets.images(5, type, 4)}, new INDArray[] {TestNets.oneHot(5, type)});
        return m;
    }

    @Test
    void theHookAddsLambdaTimesBatchTimesWToTheGradientOfEveryTrainableParameter() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            CamModel m = steppedConvBnModel(type);
            Map<String, INDArray> grads = m.graph().gradient().gradientForVariable();
            Map<String, INDArray> before = new java.util.LinkedHashMap<>();
            grads.forEach((k, v) -> before.put(k, v.dup()));
            new CoupledWeightDecay(0.01).onGradientCalculation(m.graph());
            int decayed = 0;
            for (Map.Entry<String, INDArray> e : grads.entrySet()) {
                INDArray w = m.graph().paramTable().get(e.getKey());
                INDArray expected = CoupledWeightDecay.isRunningStatistic(e.getKey())
                        ? before.get(e.getKey())
                        : before.get(e.getKey()).add(w.mul(0.01 * 5));
                double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-14;
                assertEquals(
                        0.0, e.getValue().sub(expected).amaxNumber().doubleValue(), tolerance, type + " " + e.getKey());
                decayed += CoupledWeightDecay.isRunningStatistic(e.getKey()) ? 0 : 1;
            }
            assertTrue(decayed >= 8, "conv, batch-norm and head parameters: " + grads.keySet());
        }
    }

    @Test
    void theHookAllocatesNoArray() throws ReflectiveOperationException {
        // ND4J registers every buffer (and op context) made outside a workspace with its deallocator service; the
        // hook runs outside DL4J's workspaces, so each temporary it made would wait there for the garbage collector
        CamModel m = steppedConvBnModel(DataType.FLOAT);
        CoupledWeightDecay decay = new CoupledWeightDecay(5e-4);
        decay.onGradientCalculation(m.graph()); // the first call also looks up the frozen layers
        java.lang.reflect.Field counter =
                org.nd4j.linalg.api.memory.deallocation.DeallocatorService.class.getDeclaredField("counter");
        counter.setAccessible(true);
        java.util.concurrent.atomic.AtomicLong registered = (java.util.concurrent.atomic.AtomicLong)
                counter.get(org.nd4j.linalg.factory.Nd4j.getDeallocatorService());
        long before = registered.get();
        decay.onGradientCalculation(m.graph());
        assertEquals(0, registered.get() - before, "buffers and op contexts registered by one call of the hook");
    }

    @Test
    void runningStatisticsAreLeftAlone() {
        assertTrue(CoupledWeightDecay.isRunningStatistic("stem_bn_mean"));
        assertTrue(CoupledWeightDecay.isRunningStatistic("s1_b0_bn1_var"));
        assertFalse(CoupledWeightDecay.isRunningStatistic("stem_bn_gamma"));
        assertFalse(CoupledWeightDecay.isRunningStatistic("head_W"));
    }
}
