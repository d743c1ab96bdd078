package org.camloss.api.cam;

import org.camloss.api.PluginFactory;

/**
 * Service interface for {@link CamMethod} plugins; list implementations in
 * {@code META-INF/services/org.camloss.api.cam.CamMethodFactory}. Ids are what {@code camloss explain --method}
 * and {@code camloss eval --faithfulness --method} name, e.g. {@code grad-cam}.
 */
public interface CamMethodFactory extends PluginFactory<CamMethod> {}
