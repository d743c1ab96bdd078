package org.camloss.engine.optim;

import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Coupled L2 weight decay on <em>every</em> trainable parameter, batch-norm scale/shift and biases
 * included, as PyTorch's SGD {@code weight_decay} does: g ← g + λ·w before the updater. DL4J's own L2
 * skips batch-norm parameters, so this runs as a gradient listener instead. Batch-norm running statistics
 * are not parameters in this sense and are left alone, and so are the parameters of frozen layers (DL4J's
 * {@code FrozenLayer}, or a no-op or zero-learning-rate SGD updater).
 */
public final class CoupledWeightDecay extends BaseTrainingListener {
    private final double lambda;

    /** @param lambda λ ≥ 0 */
    public CoupledWeightDecay(double lambda) {
        this.lambda = lambda;
    }

    @Override
    public void onGradientCalculation(Model model) {
        if (lambda == 0) {
            return;
        }
        // DL4J divides the gradient by the minibatch size after this hook, so scale λ·w by it here.
        double scale = lambda * model.batchSize();
        Map<String, INDArray> grads = model.gradient().gradientForVariable();
        Map<String, INDArray> params = model.paramTable();
        if (frozen == null) {
            frozen = frozenLayers(model);
        }
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            if (isRunningStatistic(e.getKey()) || isFrozen(e.getKey())) {
                continue;
            }
            INDArray w = params.get(e.getKey());
            if (w != null) {
                addScaled(scale, w, e.getValue());
            }
        }
    }

    /**
     * g ← g + scale·w. Where both are contiguous arrays of one layout (the parameter and gradient views DL4J keeps in
     * its flat arrays always are), one Java loop over their host memory: no native call, no temporary array (which outside a
     * workspace would wait for the garbage collector, about 1 MB per ResNet-20 step) and no op set-up (shape
     * information, op context; docs/performance.md, "Profile of what is left"); otherwise ND4J's ops.
     */
    static void addScaled(double scale, INDArray w, INDArray g) {
        if (HostLoops.applies(w, g)) {
            HostLoops.axpy(scale, w, g);
        } else {
            g.addi(w.mul(scale));
        }
    }

    /** Names of the layers that do not train (DL4J's {@code FrozenLayer}, or a no-op updater). */
    private java.util.Set<String> frozen;

    private boolean isFrozen(String key) {
        int i = key.lastIndexOf('_');
        return i > 0 && frozen.contains(key.substring(0, i));
    }

    /** The layers of {@code model} that keep their parameters: frozen, or updated by a no-op or zero-learning-rate SGD updater. */
    static java.util.Set<String> frozenLayers(Model model) {
        java.util.Set<String> out = new java.util.HashSet<>();
        if (model instanceof org.deeplearning4j.nn.graph.ComputationGraph g) {
            for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
                var conf = l.conf().getLayer();
                boolean noOp = conf instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b
                        && (b.getIUpdater() instanceof org.nd4j.linalg.learning.config.NoOp
                                || b.getIUpdater() instanceof org.nd4j.linalg.learning.config.Sgd sgd
                                        && sgd.getLearningRateSchedule() == null
                                        && sgd.getLearningRate() == 0);
                if (conf instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer || noOp) {
                    out.add(conf.getLayerName());
                }
            }
        }
        return out;
    }

    /** Whether a {@code layer_param} key names a batch-norm running statistic. */
    static boolean isRunningStatistic(String key) {
        return key.endsWith("_" + BatchNormalizationParamInitializer.GLOBAL_MEAN)
                || key.endsWith("_" + BatchNormalizationParamInitializer.GLOBAL_VAR)
                || key.endsWith("_" + BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
    }
}
