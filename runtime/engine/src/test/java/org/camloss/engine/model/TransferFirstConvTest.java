package org.camloss.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The first-convolution rule against loops over the weights, as timm's {@code adapt_input_conv} defines it. */
class TransferFirstConvTest {
    private static INDArray weights(long out, long in) {
        return Nd4j.linspace(1, out * in * 4, out * in * 4, DataType.FLOAT).reshape(out, in, 2, 2);
    }

    @Test
    void oneInputChannelSumsTheSourceChannels() {
        INDArray w = weights(2, 3);
        INDArray a = Transfer.adaptInputChannels(w, new long[] {2, 1, 2, 2}, Transfer.FirstConv.ADAPT);
        assertArrayEquals(new long[] {2, 1, 2, 2}, a.shape());
        for (int o = 0; o < 2; o++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    double sum = 0;
                    for (int c = 0; c < 3; c++) {
                        sum += w.getDouble(o, c, y, x);
                    }
                    assertEquals(sum, a.getDouble(o, 0, y, x), 1e-5);
                }
            }
        }
    }

    @Test
    void moreInputChannelsRepeatTheSourceChannelsScaledToKeepTheResponse() {
        INDArray w = weights(2, 3);
        INDArray a = Transfer.adaptInputChannels(w, new long[] {2, 5, 2, 2}, Transfer.FirstConv.ADAPT);
        assertArrayEquals(new long[] {2, 5, 2, 2}, a.shape());
        for (int o = 0; o < 2; o++) {
            for (int c = 0; c < 5; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 2; x++) {
                        assertEquals(w.getDouble(o, c % 3, y, x) * 3.0 / 5.0, a.getDouble(o, c, y, x), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void theRefuseRuleAndOtherShapeChangesAdaptNothing() {
        INDArray w = weights(2, 3);
        assertNull(Transfer.adaptInputChannels(w, new long[] {2, 1, 2, 2}, Transfer.FirstConv.REFUSE));
        assertNull(Transfer.adaptInputChannels(w, new long[] {4, 1, 2, 2}, Transfer.FirstConv.ADAPT));
        assertNull(Transfer.adaptInputChannels(w, new long[] {2, 1, 3, 3}, Transfer.FirstConv.ADAPT));
        assertTrue(Transfer.onlyInputChannelsDiffer(new long[] {2, 3, 2, 2}, new long[] {2, 1, 2, 2}));
        assertFalse(Transfer.onlyInputChannelsDiffer(new long[] {4, 3, 2, 2}, new long[] {2, 1, 2, 2}));
        assertFalse(Transfer.onlyInputChannelsDiffer(new long[] {2, 3, 2, 2}, new long[] {2, 3, 2, 2}));
    }
}
