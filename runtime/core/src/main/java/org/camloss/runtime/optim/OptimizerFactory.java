package org.camloss.runtime.optim;

import org.camloss.api.PluginFactory;

/**
 * Makes {@link Optimizer}s. Optimizers are built into the runtime (they configure DL4J updaters from the engine
 * room), not discovered; configs name them like plugins ({@code optimizer: { id: sgd, params: { lr: 0.1 } }}) and
 * their parameters are declared and validated the same way.
 */
public interface OptimizerFactory extends PluginFactory<Optimizer> {}
