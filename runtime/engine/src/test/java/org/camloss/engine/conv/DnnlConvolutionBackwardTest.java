package org.camloss.engine.conv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.camloss.api.layers.ConvolutionBackward;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class DnnlConvolutionBackwardTest {
    /** ND4J's natives first, as in a run, so that its libgomp is the one the presets bind to (DnnlCoexistenceTest). */
    @BeforeAll
    static void loadNd4jFirst() {
        Nd4j.zeros(1);
    }

    /**
     * The activations, the output gradient and the input gradient are used in place (NHWC); only the weights and
     * their gradient go through the scratch array. Reordering the activations in and out of oneDNN's blocked layout
     * made every ResNet-8 backward convolution 1.1-1.6x slower (docs/performance.md, Change 21).
     */
    @Test
    void onlyTheWeightsAreReordered() {
        int n = 8;
        int h = 28;
        int c = 16;
        ConvolutionBackward.Geometry g =
                new ConvolutionBackward.Geometry(n, h, h, c, h, h, c, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true);
        DnnlConvolutionBackward.DnnlPlan plan = new DnnlConvolutionBackward.DnnlPlan(g);
        long activation = (long) n * h * h * c;
        long weights = 3L * 3 * c * c;
        assertTrue(
                plan.scratchLength() <= 2 * weights + 64,
                "scratch " + plan.scratchLength() + " floats: more than the weights and their gradient (" + 2 * weights
                        + "), an activation has " + activation);
        assertTrue(plan.describe().startsWith("data jit"), plan.describe());
    }
}
