package org.camloss.engine.explain;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation frozen in inference mode, for gradients of a trained model: y = act(γ (x − μ) / √(σ² + ε) + β)
 * with the running statistics μ, σ² whether the graph runs in training mode or not, and a backward pass that is the
 * derivative of exactly that (dx = act'(z) · dy · γ / √(σ² + ε)). Neither DL4J's batch norm nor camloss's
 * {@link org.camloss.api.layers.FastBatchNorm} can backpropagate through an inference forward pass (both use the
 * batch's statistics when training), so {@link LayerTail} swaps every batch norm of the part of a graph it
 * differentiates for this one. Same parameters, in the same order, as the layer it replaces.
 *
 * <p>{@code applyActivation} reproduces the replaced layer: camloss's {@code FastBatchNorm} applies its activation;
 * DL4J M2.1's {@code BatchNormalization} ignores it (a known DL4J bug, see docs/dl4j-notes.md), so for those the
 * activation is not applied here either.
 */
public class InferenceBatchNorm extends BatchNormalization {
    private boolean applyActivation;

    /** For JSON deserialisation. */
    public InferenceBatchNorm() {
        super();
    }

    /** The inference-mode twin of {@code bn}; {@code applyActivation} as the layer it replaces computes. */
    public static InferenceBatchNorm of(BatchNormalization bn, boolean applyActivation) {
        InferenceBatchNorm out = new InferenceBatchNorm();
        out.setLayerName(bn.getLayerName());
        out.setNIn(bn.getNIn());
        out.setNOut(bn.getNOut());
        out.setEps(bn.getEps());
        out.setDecay(bn.getDecay());
        out.setGamma(bn.getGamma());
        out.setBeta(bn.getBeta());
        out.setLockGammaBeta(bn.isLockGammaBeta());
        out.setUseLogStd(bn.isUseLogStd());
        out.setCnn2DFormat(bn.getCnn2DFormat());
        out.setMinibatch(bn.isMinibatch());
        out.setActivationFn(bn.getActivationFn());
        out.applyActivation = applyActivation;
        return out;
    }

    /** Whether the activation follows the normalisation. */
    public boolean isApplyActivation() {
        return applyActivation;
    }

    public void setApplyActivation(boolean applyActivation) {
        this.applyActivation = applyActivation;
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        InferenceBatchNormLayer ret = new InferenceBatchNormLayer(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public InferenceBatchNorm clone() {
        return (InferenceBatchNorm) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o != null
                && o.getClass() == getClass()
                && super.equals(o)
                && ((InferenceBatchNorm) o).applyActivation == applyActivation;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + (applyActivation ? 3 : 2);
    }
}
