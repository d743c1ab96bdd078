/**
 * The built-in CAM methods, each a {@link org.camloss.api.cam.CamMethodFactory}: {@code cam} and {@code caam} (exact,
 * from the head's map), {@code grad-cam}, {@code grad-cam++}, {@code score-cam} and {@code layer-cam}, with the
 * definitions of their papers as pytorch-grad-cam implements them (differences are named in each class).
 */
package org.camloss.cam;
