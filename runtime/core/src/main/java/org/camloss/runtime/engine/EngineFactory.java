package org.camloss.runtime.engine;

import java.util.List;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;

/**
 * Makes a {@link TrainingEngine} from plain parameters; found with {@link java.util.ServiceLoader} and named by
 * {@link #id()} in a config's {@code engine: { id: ..., params: {...} }}.
 */
public interface EngineFactory {
    /** Stable kebab-case id, e.g. {@code spark}. */
    String id();

    /** One sentence for {@code camloss plugins}. */
    String description();

    /** The declared parameters, with defaults and ranges. */
    List<ParamSpec> params();

    /**
     * The problems of {@code params} for {@code job} that the declarations cannot see (a master URL the engine
     * rejects, more workers than partitions, a regularizer the engine cannot run), each naming its parameter; empty
     * when the job can start. Called before anything is started.
     */
    List<ParamProblem> validate(Params params, EngineJob job);

    /**
     * Starts the engine for {@code job}; {@code params} are resolved (defaults filled in) and passed
     * {@link #validate}.
     */
    TrainingEngine start(Params params, EngineJob job);
}
