package org.camloss.runtime.wiring;

import com.google.inject.Guice;
import com.google.inject.Injector;
import java.time.Duration;
import java.util.List;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.train.TrainListener;
import org.camloss.runtime.train.Trainer;

/** Wires one training run with Guice ({@link ExperimentModule}): the assembled model and its trainer. */
public final class Wiring {
    private Wiring() {
    }

    /**
     * The model and trainer of a run.
     *
     * @param model   the assembled, initialised model with its objective
     * @param trainer the loop that trains it
     */
    public record TrainingRun(CamModel model, Trainer trainer) {
    }

    /**
     * Assembles the model of {@code parts} and its trainer.
     *
     * @param listeners  every listener of the run, in call order
     * @param gcInterval see {@link Trainer}
     */
    public static TrainingRun training(ExperimentConfig config, ExperimentParts parts, List<TrainListener> listeners,
                                       Duration gcInterval) {
        Injector injector = Guice.createInjector(new ExperimentModule(config, parts, listeners, gcInterval));
        return new TrainingRun(injector.getInstance(CamModel.class), injector.getInstance(Trainer.class));
    }
}
