package org.camloss.api;

/** Service interface for {@link Distiller} plugins; list implementations in {@code META-INF/services/org.camloss.api.DistillerFactory}. */
public interface DistillerFactory extends PluginFactory<Distiller> {}
