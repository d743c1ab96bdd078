/**
 * How a camloss model is put together: any backbone followed by the {@link org.camloss.api.model.CamHead}
 * (global average pooling, one linear layer and the {@link org.camloss.api.model.Objective}).
 */
package org.camloss.api.model;
