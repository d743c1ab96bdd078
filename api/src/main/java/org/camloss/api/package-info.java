/**
 * The camloss extension points: {@link org.camloss.api.Loss}, {@link org.camloss.api.Backbone},
 * {@link org.camloss.api.Regularizer}, {@link org.camloss.api.Distiller},
 * {@link org.camloss.api.data.Dataset} and {@link org.camloss.api.cam.CamMethod}, each made by a named
 * {@link org.camloss.api.PluginFactory} found with {@link java.util.ServiceLoader}.
 *
 * <p>A plugin declares a kebab-case id, a description and its parameters ({@link org.camloss.api.ParamSpec});
 * configs name plugins by id, never by class. Losses, regularizers and distillers all receive one typed
 * record of model outputs ({@link org.camloss.api.HeadOutputs}) and define their terms with SameDiff; a term
 * may also carry a {@link org.camloss.api.TermKernel}, a hand-written forward and backward pass that the head
 * runs instead of differentiating the SameDiff definition (which stays the reference).
 */
package org.camloss.api;
