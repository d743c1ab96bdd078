package org.camloss.engine.explain;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's activation layer, except that it never overwrites its input. DL4J M2.1's {@code ActivationLayer} applies
 * its activation in place in inference mode, so the activations of the layer before it, read back from the graph,
 * are already activated (a batch norm's output read before a ReLU layer comes back ReLU'd). {@link ExplainedModel}
 * runs a copy of the model in which every activation layer is this one.
 */
public class CopyingActivation extends ActivationLayer {
    /** For JSON deserialisation. */
    public CopyingActivation() {
        super((IActivation) null);
    }

    /** The activation layer {@code original}, copying. */
    public static CopyingActivation of(ActivationLayer original) {
        CopyingActivation out = new CopyingActivation();
        out.setActivationFn(original.getActivationFn());
        out.setLayerName(original.getLayerName());
        return out;
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        Impl ret = new Impl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public CopyingActivation clone() {
        return (CopyingActivation) super.clone();
    }

    /** The layer: the activation of a copy of the input. */
    static final class Impl extends org.deeplearning4j.nn.layers.ActivationLayer {
        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
            assertInputSet(false);
            INDArray in = mgr.dup(ArrayType.ACTIVATIONS, input, input.ordering());
            return layerConf().getActivationFn().getActivation(in, training);
        }
    }
}
