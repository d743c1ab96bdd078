/**
 * How a camloss model is put together: any backbone followed by the {@link org.camloss.engine.head.CamHead}
 * (global average pooling, one linear layer and the {@link org.camloss.engine.head.Objective}).
 */
package org.camloss.engine.model;
