/**
 * DL4J updater configurations and learning-rate schedules as PyTorch users expect them: classical momentum, cosine and
 * step schedules stepped per iteration, and coupled weight decay (see the engine room's overview,
 * {@link org.camloss.engine}). Their class names are stored in model files.
 */
package org.camloss.engine.optim;
