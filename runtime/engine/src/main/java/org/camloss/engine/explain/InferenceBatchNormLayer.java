package org.camloss.engine.explain;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The layer of {@link InferenceBatchNorm}: an affine map per channel from the running statistics, then the activation. */
public class InferenceBatchNormLayer extends BatchNormalization {
    public InferenceBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private InferenceBatchNorm bn() {
        return (InferenceBatchNorm) conf.getLayer();
    }

    /** No helper: the arithmetic below is the whole layer. */
    @Override
    public LayerHelper getHelper() {
        return null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        return preOutput(input, Layer.TrainingMode.TEST, workspaceMgr);
    }

    @Override
    public INDArray preOutput(INDArray x, Layer.TrainingMode training, LayerWorkspaceMgr mgr) {
        INDArray z = normalised(x.castTo(dataType));
        INDArray out = bn().isApplyActivation() ? bn().getActivationFn().getActivation(z, false) : z;
        return mgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray x = input.castTo(dataType);
        INDArray g = epsilon.castTo(dataType).dup();
        if (bn().isApplyActivation()) {
            INDArray z = normalised(x);
            g = bn().getActivationFn().backprop(z, g).getFirst();
        }
        INDArray scale = scaleAndShift()[0];
        INDArray dx = Nd4j.createUninitialized(dataType, x.shape());
        Broadcast.mul(g, scale, dx, channelAxis(x));
        Gradient gradient = new DefaultGradient();
        for (String p : paramTable().keySet()) {
            INDArray view = gradientViews.get(p);
            if (view != null) {
                view.assign(0);
                gradient.setGradientFor(p, view);
            }
        }
        return new Pair<>(gradient, mgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx));
    }

    /** γ (x − μ) / √(σ² + ε) + β, as a new array. */
    private INDArray normalised(INDArray x) {
        INDArray[] st = scaleAndShift();
        int axis = channelAxis(x);
        INDArray z = Nd4j.createUninitialized(dataType, x.shape());
        Broadcast.mul(x, st[0], z, axis);
        Broadcast.add(z, st[1], z, axis);
        return z;
    }

    /** Per channel: scale γ / √(σ² + ε) and shift β − μ · scale, each a vector of C values. */
    private INDArray[] scaleAndShift() {
        InferenceBatchNorm b = bn();
        long c = b.getNOut();
        INDArray mean = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN)
                .reshape(c)
                .castTo(dataType);
        INDArray var;
        if (b.isUseLogStd()) {
            INDArray log10Std = getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                    .reshape(c)
                    .castTo(dataType);
            INDArray std = Transforms.pow(Nd4j.valueArrayOf(new long[] {c}, 10.0, dataType), log10Std, false);
            var = std.mul(std);
        } else {
            var = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR)
                    .reshape(c)
                    .castTo(dataType);
        }
        INDArray gamma = b.isLockGammaBeta()
                ? Nd4j.valueArrayOf(new long[] {c}, b.getGamma(), dataType)
                : getParam(BatchNormalizationParamInitializer.GAMMA).reshape(c).castTo(dataType);
        INDArray beta = b.isLockGammaBeta()
                ? Nd4j.valueArrayOf(new long[] {c}, b.getBeta(), dataType)
                : getParam(BatchNormalizationParamInitializer.BETA).reshape(c).castTo(dataType);
        INDArray scale = gamma.div(Transforms.sqrt(var.add(b.getEps()), false));
        INDArray shift = beta.sub(mean.mul(scale));
        return new INDArray[] {scale, shift};
    }

    private int channelAxis(INDArray x) {
        if (x.rank() == 4) {
            return bn().getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
        }
        return 1;
    }
}
