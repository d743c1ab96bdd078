package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.camloss.engine.head.Objective;
import org.camloss.testkit.HeadHarness;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Cross-entropy stays finite when a class is far below the largest logit (float32). */
class CrossEntropyStabilityTest {
    @Test
    void largeLogitGapsGiveFiniteLossAndGradients() {
        // features constant 1 over a 1x1 map, so logits = W[:,0] + b: gaps of several hundred
        INDArray features = Nd4j.ones(DataType.FLOAT, 2, 1, 1, 1);
        INDArray weight = Nd4j.create(new float[] {800f, 0f, 1f}, new long[] {3, 1}, 'c');
        INDArray bias = Nd4j.zeros(DataType.FLOAT, 3);
        INDArray targets = Nd4j.create(new float[] {0, 1, 0, 1, 0, 0}, new long[] {2, 3}, 'c');
        HeadHarness.Result r = new HeadHarness(DataType.FLOAT)
                .run(Objective.of(new CrossEntropyLossFactory().create(null)), features, weight, bias, targets);
        // sample 0: -log softmax(z)[1] = 800 + log(1 + e^-800 + e^-799) ≈ 800; sample 1: ≈ 0
        assertEquals(400.0, r.terms().get("ce"), 1e-3);
        assertFalse(r.gradFeatures().isNaN().any());
        assertFalse(r.gradWeight().isNaN().any());
    }
}
