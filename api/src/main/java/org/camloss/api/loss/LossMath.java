package org.camloss.api.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * SameDiff building blocks that loss, regularizer and distiller authors need and that ND4J 1.0.0-M2.1 either
 * lacks or gets wrong. Use these rather than {@code sd.nn().logSoftmax}.
 */
public final class LossMath {
    private LossMath() {}

    /**
     * log softmax over the classes of logits [N, K], computed stably as x − m − log Σ_k exp(x_k − m) with
     * m = max_k x_k (carrying no gradient, since the value does not depend on it).
     *
     * <p>ND4J 1.0.0-M2.1's own {@code sd.nn().logSoftmax} takes the log of the softmax: once a class is more than
     * about 104 (float32) below the largest its value is −∞, and a target weight of zero times −∞ makes the loss
     * NaN. The contract kit feeds every loss large logits to catch that.
     *
     * @param logits [N, K]
     * @return [N, K]
     */
    public static SDVariable logSoftmax(SDVariable logits) {
        SameDiff sd = logits.getSameDiff();
        SDVariable shifted = logits.sub(stopGradient(logits.max(true, 1)));
        return shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, 1)));
    }

    /**
     * The same values as {@code x}, with no gradient flowing back through it: PyTorch's {@code x.detach()}. For
     * example CAM-loss detaches the classifier weights W from its CAM term (the paper's split update).
     *
     * @param x any variable
     * @return a variable of the same shape
     */
    public static SDVariable stopGradient(SDVariable x) {
        return new StopGradient(x.getSameDiff(), x).outputVariable();
    }
}
