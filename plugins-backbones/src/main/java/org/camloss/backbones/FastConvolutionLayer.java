package org.camloss.backbones;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The implementation of {@link FastConvolution}: for NHWC data with the oneDNN helper, the forward pass hands
 * the input to the helper without DL4J's NCHW copy, and with an identity activation the backward pass hands
 * the incoming gradient straight to the helper's backward op instead of first recomputing the forward
 * convolution (and the copy). With another activation the forward convolution is recomputed as in DL4J, but
 * the activation's derivative stays NHWC and contiguous: DL4J M2.1 hands the helper a permuted view there
 * and gets wrong gradients (see {@code FastConvolutionTest}). NCHW, no helper or double precision run
 * DL4J's code.
 */
public class FastConvolutionLayer extends ConvolutionLayer {

    public FastConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fastPath() {
        return helper != null && helperCountFail == 0 && dataType == DataType.FLOAT
                && layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC && input != null && input.rank() == 4;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
        if (!fastPath()) {
            return super.preOutput(training, forBackprop, mgr);
        }
        assertInputSet(false);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, mgr);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, mgr);
        validateInputRank();
        INDArray in = input.castTo(dataType);
        validateInputDepth(weights.size(1));
        if (!hasBias()) {
            bias = zeroBias();
        }
        INDArray out = helper.preOutput(in, weights, bias, layerConf().getKernelSize(), layerConf().getStride(),
                padding(in), layerConf().getCudnnAlgoMode(), layerConf().getCudnnFwdAlgo(), convolutionMode,
                layerConf().getDilation(), CNN2DFormat.NHWC, mgr);
        return out == null ? super.preOutput(training, forBackprop, mgr) : new Pair<>(out, null);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (!fastPath()) {
            return super.backpropGradient(epsilon, mgr);
        }
        assertInputSet(true);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, mgr);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, mgr);
        INDArray in = input.castTo(dataType);
        INDArray eps = epsilon.castTo(dataType);
        IActivation act = layerConf().getActivationFn();
        INDArray delta;
        if (act instanceof ActivationIdentity) {
            delta = eps; // dL/dz = dL/dy
        } else {
            // as DL4J: recompute z, but keep it and the product NHWC and contiguous (DL4J hands the helper a
            // permuted NCHW view here, and its weight gradients come out wrong)
            INDArray z = preOutput(true, true, mgr).getFirst();
            delta = act.backprop(z, eps).getFirst();
        }
        Pair<Gradient, INDArray> ret = helper.backpropGradient(in, weights, bias, delta, layerConf().getKernelSize(),
                layerConf().getStride(), padding(in), gradientViews.get(ConvolutionParamInitializer.BIAS_KEY),
                gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), act,
                layerConf().getCudnnAlgoMode(), layerConf().getCudnnBwdFilterAlgo(), layerConf().getCudnnBwdDataAlgo(),
                convolutionMode, layerConf().getDilation(), CNN2DFormat.NHWC, mgr);
        if (ret == null) {
            return super.backpropGradient(epsilon, mgr);
        }
        ret.setSecond(backpropDropOutIfPresent(ret.getSecond()));
        return ret;
    }

    /** Top-left padding, from the NHWC sizes (as DL4J computes it from its NCHW copy). */
    private int[] padding(INDArray nhwc) {
        int[] kernel = layerConf().getKernelSize();
        int[] strides = layerConf().getStride();
        int[] dilation = layerConf().getDilation();
        if (convolutionMode == ConvolutionMode.Same) {
            int[] outSize = ConvolutionUtils.getOutputSize(nhwc, kernel, strides, null, convolutionMode, dilation,
                    CNN2DFormat.NHWC);
            return ConvolutionUtils.getSameModeTopLeftPadding(outSize,
                    new int[] {(int) nhwc.size(1), (int) nhwc.size(2)}, kernel, strides, dilation);
        }
        return layerConf().getPadding();
    }

    /** For bias-free convolutions the helper takes a zero bias (as in DL4J's layer). */
    private INDArray zeroBias() {
        if (dummyBias == null) {
            try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                dummyBias = Nd4j.create(dataType, 1, layerConf().getNOut());
            }
        }
        return dummyBias;
    }
}
