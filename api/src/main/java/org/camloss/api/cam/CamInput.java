package org.camloss.api.cam;

/**
 * What a {@link CamMethod} may read from its {@link CamContext} beyond the images, targets, logits and the target
 * layer's activations, which every method gets. Declared in {@link CamMethod#requires()}.
 */
public enum CamInput {
    /**
     * {@link CamContext#gradients()}: the gradient of each image's target logit with respect to the target layer's
     * activations (one backward pass per batch). Grad-CAM, Grad-CAM++, Layer-CAM.
     */
    GRADIENTS,
    /**
     * {@link CamContext#linearHead()}: the classifier weights W [K, C] and bias b [K] of a global average pooling +
     * linear head whose pooled map is the target layer. CAM; a model without such a head is refused.
     */
    LINEAR_HEAD,
    /**
     * {@link CamContext#logits(org.nd4j.linalg.api.ndarray.INDArray)}: forward passes of other images than the
     * batch's (masked or perturbed copies). Score-CAM.
     */
    FORWARD_PASSES
}
