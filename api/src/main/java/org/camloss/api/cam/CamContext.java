package org.camloss.api.cam;

import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model's view of one batch of images, for a {@link CamMethod}: the images, the class each image's map is for,
 * and the target layer's activations; on request (see {@link CamMethod#requires()}) the gradients of the target
 * logits, the linear head, and forward passes of other images. The model is always in inference mode (batch norm
 * with its running statistics, no dropout), as {@code model.eval()} in pytorch-grad-cam.
 *
 * <p>Layouts: images are NHWC [N, H, W, C] exactly as the model takes them (already normalised); activations and
 * gradients are NCHW [N, C, h, w] whatever the model's own layout. Arrays returned are the method's to keep or
 * modify.
 */
public interface CamContext {
    /** The batch's images, [N, H, W, C] (NHWC), normalised as the model takes them. */
    INDArray images();

    /** The class each image's map is for (its target), length N, each in [0, {@link #numClasses()}). */
    int[] targets();

    /** K, the model's number of classes. */
    int numClasses();

    /** The name of the target layer: a vertex of the model's graph with a 4-D output. */
    String layer();

    /** The logits z of the batch, [N, K] (before softmax). */
    INDArray logits();

    /** The target layer's activations A, [N, C, h, w] (NCHW). */
    INDArray activations();

    /**
     * The gradient of each image's target logit with respect to the target layer's activations, ∂z[n, t_n] /
     * ∂A[n], [N, C, h, w] (NCHW), with the model in inference mode; pytorch-grad-cam's {@code ClassifierOutputTarget}.
     * Only for methods that declare {@link CamInput#GRADIENTS}.
     *
     * @throws IllegalStateException when the method did not declare {@link CamInput#GRADIENTS}
     */
    INDArray gradients();

    /**
     * The global average pooling + linear head that classifies the target layer's map, if the model has one there
     * (for a camloss model: when the target layer is the backbone's feature map). Only for methods that declare
     * {@link CamInput#LINEAR_HEAD}.
     *
     * @throws IllegalStateException when the method did not declare {@link CamInput#LINEAR_HEAD}
     */
    Optional<LinearHead> linearHead();

    /**
     * Logits of other images, [M, K], computed in batches of at most {@link #batchSize()} (pass any M). Only for
     * methods that declare {@link CamInput#FORWARD_PASSES}.
     *
     * @param images [M, H, W, C] (NHWC), normalised as {@link #images()}
     * @throws IllegalStateException    when the method did not declare {@link CamInput#FORWARD_PASSES}
     * @throws IllegalArgumentException when the images do not have the batch's height, width and channels
     */
    INDArray logits(INDArray images);

    /** How many images one forward pass should hold (the runtime's batch size), at least 1. */
    int batchSize();
}
