package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;

/** {@link ReluBackward} against a loop and against libnd4j's {@code relu_bp}, which it replaces. */
class ReluBackwardTest {

    @Test
    void passesTheGradientWhereTheUnitIsActiveAndZeroElsewhere() {
        INDArray x = Nd4j.createFromArray(new float[] {-2f, -0f, 0f, 1e-30f, 3f, -1e-30f})
                .reshape(2, 3);
        INDArray eps =
                Nd4j.createFromArray(new float[] {5f, 6f, -7f, 8f, -9f, 10f}).reshape(2, 3);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 2, 3);
        assertSame(out, ReluBackward.apply(x, eps, out));
        float[] expected = {0f, 0f, 0f, 8f, -9f, 0f};
        float[] got = out.data().asFloat();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 0f, "element " + i);
        }
    }

    @Test
    void matchesRelu_bpOnAnNhwcBatchAndMayOverwriteItsInput() {
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 7, 7, 16);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 4, 7, 7, 16);
        INDArray expected = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        Nd4j.exec(new RectifiedLinearDerivative(x, eps, expected, 0.0));
        INDArray inPlace = x.dup();
        ReluBackward.apply(inPlace, eps, inPlace);
        assertEquals(0.0, expected.sub(inPlace).amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void refusesToOverwriteTheGradientItReads() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 3);
        INDArray eps = Nd4j.ones(DataType.FLOAT, 3);
        assertThrows(IllegalArgumentException.class, () -> ReluBackward.apply(x, eps, eps));
    }
}
