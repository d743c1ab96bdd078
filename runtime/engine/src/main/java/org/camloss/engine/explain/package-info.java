/**
 * What CAM methods need from a trained model, computed in inference mode: {@link
 * org.camloss.engine.explain.ExplainedModel} (logits, a layer's activations, gradients of a target logit, the
 * linear head; camloss models and plain DL4J graphs), {@link org.camloss.engine.explain.CamBatch} (one batch's
 * shared forward pass and the {@link org.camloss.api.cam.CamContext} of each method), and the {@code LayerTail} that
 * backpropagates through part of a trained graph with batch norm frozen in inference mode ({@link
 * org.camloss.engine.explain.InferenceBatchNorm}).
 */
package org.camloss.engine.explain;
