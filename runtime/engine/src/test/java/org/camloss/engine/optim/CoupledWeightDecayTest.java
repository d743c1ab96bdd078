package org.camloss.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void runningStatisticsAreLeftAlone() {
        assertTrue(CoupledWeightDecay.isRunningStatistic("stem_bn_mean"));
        assertTrue(CoupledWeightDecay.isRunningStatistic("s1_b0_bn1_var"));
        assertFalse(CoupledWeightDecay.isRunningStatistic("stem_bn_gamma"));
        assertFalse(CoupledWeightDecay.isRunningStatistic("head_W"));
    }
}
