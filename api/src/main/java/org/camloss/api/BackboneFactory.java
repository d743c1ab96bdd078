package org.camloss.api;

/** Service interface for {@link Backbone} plugins; list implementations in {@code META-INF/services/org.camloss.api.BackboneFactory}. */
public interface BackboneFactory extends PluginFactory<Backbone> {}
