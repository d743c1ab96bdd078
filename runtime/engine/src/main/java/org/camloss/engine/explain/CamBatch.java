package org.camloss.engine.explain;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.LinearHead;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One batch of images explained at one layer: one forward pass shared by every method, the gradients computed once
 * when a method first asks, and a {@link CamContext} per method that gives only what the method declared.
 */
public final class CamBatch {
    private final ExplainedModel model;
    private final String layer;
    private final INDArray images;
    private final int[] targets;
    private final int batchSize;
    private final ExplainedModel.Forward forward;
    private INDArray gradients;

    /**
     * Runs the forward pass.
     *
     * @param images    [N, H, W, C]
     * @param targets   the class of each image's maps
     * @param batchSize images per forward pass for methods that make more
     * @throws IllegalArgumentException when the layer, the images or a target does not fit the model
     */
    public CamBatch(ExplainedModel model, String layer, INDArray images, int[] targets, int batchSize) {
        this(model, layer, images, logits -> targets, batchSize);
    }

    /**
     * Runs the forward pass, then chooses the targets from the logits (say the predicted class).
     *
     * @param targets from the logits [N, K], the class of each image's maps
     */
    public static CamBatch of(
            ExplainedModel model,
            String layer,
            INDArray images,
            java.util.function.Function<INDArray, int[]> targets,
            int batchSize) {
        return new CamBatch(model, layer, images, targets, batchSize);
    }

    private CamBatch(
            ExplainedModel model,
            String layer,
            INDArray images,
            java.util.function.Function<INDArray, int[]> targets,
            int batchSize) {
        model.checkLayer(layer);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, found " + batchSize);
        }
        this.model = model;
        this.layer = layer;
        this.images = images;
        this.batchSize = batchSize;
        this.forward = model.forward(images, layer);
        this.targets = targets.apply(forward.logits().dup()).clone();
        model.checkTargets(this.targets, images.size(0));
    }

    /** The class of each image's maps. */
    public int[] targets() {
        return targets.clone();
    }

    /** The logits of the batch, [N, K]. */
    public INDArray logits() {
        return forward.logits().dup();
    }

    /** The layer's activations, [N, C, h, w]. */
    public INDArray activations() {
        return forward.activations().dup();
    }

    /** The maps of {@code method} for this batch, [N, h, w], checked for shape. */
    public INDArray maps(CamMethod method) {
        INDArray maps = method.maps(context(method.requires()));
        long[] a = forward.activations().shape();
        long[] expected = {a[0], a[2], a[3]};
        if (maps == null || !Arrays.equals(maps.shape(), expected)) {
            throw new IllegalStateException(
                    "the CAM method " + method.getClass().getName() + " returned maps of shape "
                            + (maps == null ? "null" : Arrays.toString(maps.shape())) + ", expected "
                            + Arrays.toString(expected));
        }
        return maps;
    }

    /** A context that offers exactly what {@code declared} names (besides images, targets, logits, activations). */
    public CamContext context(Set<CamInput> declared) {
        Set<CamInput> allowed = declared.isEmpty() ? EnumSet.noneOf(CamInput.class) : EnumSet.copyOf(declared);
        return new CamContext() {
            @Override
            public INDArray images() {
                return images.dup();
            }

            @Override
            public int[] targets() {
                return targets.clone();
            }

            @Override
            public int numClasses() {
                return model.numClasses();
            }

            @Override
            public String layer() {
                return layer;
            }

            @Override
            public INDArray logits() {
                return forward.logits().dup();
            }

            @Override
            public INDArray activations() {
                return forward.activations().dup();
            }

            @Override
            public INDArray gradients() {
                require(CamInput.GRADIENTS);
                if (gradients == null) {
                    gradients = model.gradients(images, layer, targets);
                }
                return gradients.dup();
            }

            @Override
            public Optional<LinearHead> linearHead() {
                require(CamInput.LINEAR_HEAD);
                return model.linearHead(layer);
            }

            @Override
            public INDArray logits(INDArray others) {
                require(CamInput.FORWARD_PASSES);
                long m = others.size(0);
                INDArray out = Nd4j.create(model.dataType(), m, model.numClasses());
                for (long from = 0; from < m; from += batchSize) {
                    long to = Math.min(m, from + batchSize);
                    INDArray part = others.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                            org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.all());
                    out.get(
                                    org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                                    org.nd4j.linalg.indexing.NDArrayIndex.all())
                            .assign(model.logits(part.dup()));
                }
                return out;
            }

            @Override
            public int batchSize() {
                return batchSize;
            }

            private void require(CamInput input) {
                if (!allowed.contains(input)) {
                    throw new IllegalStateException(
                            "the CAM method asked for " + input + " without declaring it in requires()");
                }
            }
        };
    }
}
