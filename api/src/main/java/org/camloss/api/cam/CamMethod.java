package org.camloss.api.cam;

import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A class activation map method: given a model's view of a batch of images ({@link CamContext}), the map of each
 * image for its target class at the context's target layer — CAM (Zhou et al. 2016), Grad-CAM (Selvaraju et al.
 * 2017), Score-CAM (Wang et al. 2020), and the like, as in pytorch-grad-cam and TorchCAM.
 *
 * <p>Maps are returned raw: at the target layer's resolution (h × w, not upsampled to the image) and not
 * normalised, so that they can be stored exactly and compared across methods. The runtime upsamples them to the
 * image with {@link Bilinear} ({@code align_corners=false}) and min-max normalises them for pictures and metrics.
 *
 * <p>A method declares what it reads from the context in {@link #requires()}; the runtime checks that the model
 * offers it before any work (a method that needs the {@link CamInput#LINEAR_HEAD} on a model without a global
 * average pooling + linear head is refused with a message), and computes gradients only for methods that ask
 * for them. The contract kit ({@code CamMethodContract}) runs every method on a context that refuses what was
 * not declared.
 *
 * <p>Instances must be stateless between calls: the runtime calls {@link #maps} once per batch, possibly for
 * batches of different sizes.
 */
public interface CamMethod {
    /**
     * The maps of the context's images for their targets.
     *
     * @param context the model's view of one batch: images, targets, the target layer's activations and, on
     *     request, gradients, the linear head and more forward passes
     * @return [N, h, w] in the activations' data type, N the batch size and h × w the target layer's map size; raw
     *     values (methods that end in a ReLU, such as Grad-CAM, return non-negative maps; CAM and CAAM may be
     *     negative)
     * @throws IllegalArgumentException when the context lacks something the method declared and needs
     */
    INDArray maps(CamContext context);

    /** What {@link #maps} reads from the context besides images, targets and activations, which every method gets. */
    Set<CamInput> requires();
}
