package org.camloss.api;

/** Service interface for {@link Regularizer} plugins; list implementations in {@code META-INF/services/org.camloss.api.RegularizerFactory}. */
public interface RegularizerFactory extends PluginFactory<Regularizer> {}
