package org.camloss.api;
import org.camloss.api.data.Dataset;
/** Service interface for {@link data.Dataset} plugins; list implementations in {@code META-INF/services/org.camloss.api.DatasetFactory}. */
public interface DatasetFactory extends PluginFactory<Dataset> {
}
