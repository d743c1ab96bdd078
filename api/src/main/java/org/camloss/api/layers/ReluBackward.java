package org.camloss.api.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ReLU's backward pass as two of libnd4j's vectorised loops, a step and a product: libnd4j M2.1's {@code relu_bp}
 * ({@code RectifiedLinearDerivative}) calls a {@code std::function} per element and took 2.18 / 0.95 / 0.56 ms where
 * these take 0.38 / 0.38 / 0.09 ms (128×28×28×16, 128×14×14×32, 128×7×7×64 floats, 2 threads,
 * {@code ReluBackwardTiming}; docs/performance.md, Change 23). The same values as {@code relu_bp} for finite
 * gradients (a zero may come out as −0); where the unit is inactive a non-finite gradient gives NaN instead of 0.
 */
final class ReluBackward {
    private ReluBackward() {}

    /**
     * {@code out = x > 0 ? epsilon : 0}, element-wise.
     *
     * @param x the ReLU's input or output (the same sign test), any shape
     * @param epsilon the gradient with respect to the ReLU's output, the shape of {@code x}
     * @param out receives the gradient with respect to its input, the shape of {@code x}; may be {@code x}, not
     *     {@code epsilon}
     * @return {@code out}
     */
    static INDArray apply(INDArray x, INDArray epsilon, INDArray out) {
        if (out == epsilon) {
            throw new IllegalArgumentException("ReLU backward: the result cannot overwrite the gradient it reads");
        }
        Nd4j.exec(new Step(x, out, 0.0));
        Nd4j.exec(new MulOp(out, epsilon, out));
        return out;
    }
}
