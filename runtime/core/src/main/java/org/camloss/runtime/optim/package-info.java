/**
 * The built-in optimizers and learning-rate schedules, declared like plugins (a factory with an id, a description
 * and {@link org.camloss.api.ParamSpec parameters}) and registered by hand in every
 * {@link org.camloss.runtime.registry.PluginRegistry}: configs name them by id, and their parameters are validated
 * on the same path as every plugin's. The DL4J updaters and schedules they configure live in the engine room
 * ({@link org.camloss.engine.optim}).
 */
package org.camloss.runtime.optim;
