package org.camloss.api;

import org.camloss.api.data.Dataset;

/**
 * Service interface for {@link Dataset} plugins; list implementations in
 * {@code META-INF/services/org.camloss.api.DatasetFactory}. {@code create} reads or generates the data, so rules
 * between parameters belong in {@link #validate(Params)}.
 */
public interface DatasetFactory extends PluginFactory<Dataset> {}
