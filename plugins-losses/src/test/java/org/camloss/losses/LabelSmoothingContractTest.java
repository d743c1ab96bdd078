package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;
import org.camloss.api.Params;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.data.Batch;
import org.camloss.testkit.RegularizerContract;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class LabelSmoothingContractTest extends RegularizerContract {
    @Override
    protected RegularizerFactory factory() {
        return new LabelSmoothingFactory();
    }

    @Test
    void smoothsOneHotTargets() {
        var t = Nd4j.zeros(DataType.FLOAT, 1, 4);
        t.putScalar(0, 2, 1.0);
        Batch b = factory()
                .create(Params.resolve(factory().params(), Map.of("epsilon", 0.2)))
                .apply(new Batch(Nd4j.zeros(DataType.FLOAT, 1, 2, 2, 1), t), new Random(0));
        assertEquals(0.05, b.targets().getDouble(0, 0), 1e-6);
        assertEquals(0.85, b.targets().getDouble(0, 2), 1e-6);
    }
}
