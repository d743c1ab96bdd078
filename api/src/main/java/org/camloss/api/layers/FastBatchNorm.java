package org.camloss.api.layers;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link BatchNormalization} configuration with a faster implementation ({@link FastBatchNormLayer})
 * that also applies the layer's activation.
 *
 * <p>Same parameters (γ, β, running mean and {@code log10stdev} or {@code var}), same running-statistics
 * update (decay, biased batch variance), same serialised form apart from the class name, so everything that
 * treats a {@code BatchNormalization} by class or by parameter name (weight decay exclusions, data-format
 * rewriting, gradient-check setup) keeps working. Two differences from DL4J's layer: batch normalisation
 * with a fixed γ/β ({@code lockGammaBeta}) is not supported, and the activation is applied. DL4J M2.1's own
 * layer ignores its activation function (its output is the normalised input whatever the activation says),
 * so a DL4J {@code BatchNormalization} with {@code activation(RELU)} behaves like one with identity.
 *
 * <p>A bean with a no-argument constructor so that graph configurations survive JSON serialisation.
 */
public class FastBatchNorm extends BatchNormalization {

    /** Defaults as DL4J's builder: γ = 1, β = 0, ε = 1e-5, decay 0.9, log10(std) running statistics. */
    public FastBatchNorm() {
        super();
    }

    /**
     * A batch-norm layer over {@code channels} channels in {@code format}, followed by {@code activation}.
     *
     * @param eps   added to the variance
     * @param decay weight of the old running statistics in their update (PyTorch's {@code 1 - momentum})
     */
    public static FastBatchNorm of(int channels, CNN2DFormat format, double eps, double decay, Activation activation) {
        if (channels < 1) {
            throw new IllegalArgumentException("batch norm channels must be positive, found " + channels);
        }
        if (!(eps > 0) || !(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException(
                    "batch norm needs eps > 0 and decay in [0, 1], found eps " + eps + ", decay " + decay);
        }
        FastBatchNorm bn = new FastBatchNorm();
        bn.setNIn(channels);
        bn.setNOut(channels);
        bn.setCnn2DFormat(format);
        bn.setEps(eps);
        bn.setDecay(decay);
        bn.setGamma(1.0);
        bn.setBeta(0.0);
        bn.setActivationFn(activation.getActivationFunction());
        return bn;
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        if (isLockGammaBeta()) {
            throw new IllegalStateException("FastBatchNorm layer '" + getLayerName()
                    + "': lockGammaBeta is not supported; use DL4J's BatchNormalization for a fixed gamma/beta");
        }
        FastBatchNormLayer ret = new FastBatchNormLayer(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public FastBatchNorm clone() {
        return (FastBatchNorm) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 1;
    }
}
