package org.camloss.runtime.engine;

import java.util.Objects;
import java.util.Optional;
import org.camloss.api.data.Dataset;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.distill.Teacher;

/**
 * What an engine trains: the validated config (engines that run elsewhere rebuild the data and the objective from its
 * plugin specs), the assembled model with its objective, the dataset made from the config on this machine, and the
 * frozen teacher of a distillation run (empty without {@code distill}).
 */
public record EngineJob(ExperimentConfig config, CamModel model, Dataset data, Optional<Teacher> teacher) {
    public EngineJob {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(teacher, "teacher");
    }

    /** A job without distillation. */
    public EngineJob(ExperimentConfig config, CamModel model, Dataset data) {
        this(config, model, data, Optional.empty());
    }
}
