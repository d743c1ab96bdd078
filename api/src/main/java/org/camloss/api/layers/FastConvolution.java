package org.camloss.api.layers;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link ConvolutionLayer} configuration with an implementation ({@link FastConvolutionLayer}) that
 * skips two wasted steps of DL4J M2.1's NHWC convolution when the oneDNN helper runs it: the NCHW copy of
 * the input made before every forward and backward pass (only its sizes are used), and, for an identity
 * activation, the repeated forward convolution inside the backward pass (its output is only fed to the
 * identity's derivative). Same parameters, serialised form apart from the class name, numbers.
 *
 * <p>A bean with a no-argument constructor so that graph configurations survive JSON serialisation.
 */
public class FastConvolution extends ConvolutionLayer {

    /** For JSON deserialisation. */
    public FastConvolution() {
        super();
    }

    /** The convolution {@code builder} describes (validated as {@link ConvolutionLayer.Builder#build()} does). */
    public FastConvolution(ConvolutionLayer.Builder builder) {
        super(validated(builder));
    }

    private static ConvolutionLayer.Builder validated(ConvolutionLayer.Builder b) {
        b.build(); // DL4J's kernel, stride and padding validation
        return b;
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastConvolution", getLayerName(), layerIndex, getNIn(), getNOut());
        FastConvolutionLayer ret = new FastConvolutionLayer(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public FastConvolution clone() {
        return (FastConvolution) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 2;
    }
}
