/**
 * Loss building blocks for plugin authors: the stable {@link org.camloss.api.loss.LossMath#logSoftmax log-softmax},
 * {@link org.camloss.api.loss.LossMath#stopGradient stop-gradient}, and the
 * {@link org.camloss.api.loss.CrossEntropy cross-entropy term} with its hand-written kernel. The CAM term lives beside
 * the maps it is made of, in {@link org.camloss.api.cam.CamTerm}.
 */
package org.camloss.api.loss;
