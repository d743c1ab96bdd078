package org.camloss.api;

/** Service interface for {@link Loss} plugins; list implementations in {@code META-INF/services/org.camloss.api.LossFactory}. */
public interface LossFactory extends PluginFactory<Loss> {}
