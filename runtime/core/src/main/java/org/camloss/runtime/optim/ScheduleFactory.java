package org.camloss.runtime.optim;

import org.camloss.api.PluginFactory;

/**
 * Makes learning-rate {@link Schedule}s; built into the runtime and named in configs like plugins
 * ({@code schedule: { id: cosine }}).
 */
public interface ScheduleFactory extends PluginFactory<Schedule> {}
