package org.camloss.runtime.engine;

import java.util.Objects;
import org.camloss.api.data.Dataset;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ExperimentConfig;

/**
 * What an engine trains: the validated config (engines that run elsewhere rebuild the data and the objective from its
 * plugin specs), the assembled model with its objective and the dataset made from the config on this machine.
 */
public record EngineJob(ExperimentConfig config, CamModel model, Dataset data) {
    public EngineJob {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
    }
}
