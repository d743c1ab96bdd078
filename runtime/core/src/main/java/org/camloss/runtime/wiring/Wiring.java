package org.camloss.runtime.wiring;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import java.time.Duration;
import java.util.List;
import org.camloss.api.CamlossException;
import org.camloss.api.UserException;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.train.RunStore;
import org.camloss.runtime.train.TrainListener;
import org.camloss.runtime.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** Wires one training run with Guice ({@link ExperimentModule}): the assembled model, then its trainer. */
public final class Wiring {
    private Wiring() {}

    /** A wired run: the model is assembled; the trainer is made once its listeners are known. */
    public static final class TrainingRun {
        private final Injector injector;
        private final ExperimentModule module;
        private final CamModel model;

        private TrainingRun(Injector injector, ExperimentModule module, CamModel model) {
            this.injector = injector;
            this.module = module;
            this.model = model;
        }

        /** The assembled, initialised model with its objective. */
        public CamModel model() {
            return model;
        }

        /**
         * The loop that trains {@link #model()}.
         *
         * @param listeners every listener of the run, in call order
         * @param store     where checkpoints, the best model and the heartbeat go
         */
        public Trainer trainer(List<TrainListener> listeners, RunStore store) {
            module.trainerSetup(listeners, store);
            return provide(() -> injector.getInstance(Trainer.class));
        }
    }

    /**
     * Assembles the model of {@code parts}.
     *
     * @param gcInterval see {@link Trainer}
     * @throws UserException when the backbone's declared channels, stride or stages disagree with its graph (a
     *     broken backbone plugin: the message names it, its vertex and both numbers)
     */
    public static TrainingRun training(ExperimentConfig config, ExperimentParts parts, Duration gcInterval) {
        return wire(new ExperimentModule(config, parts, gcInterval, null));
    }

    /**
     * Wires a run that continues from a checkpoint's graph (parameters, updater state and iteration count), giving it
     * the objective its config names.
     */
    public static TrainingRun resumed(
            ExperimentConfig config, ExperimentParts parts, Duration gcInterval, ComputationGraph checkpoint) {
        return wire(new ExperimentModule(config, parts, gcInterval, checkpoint));
    }

    private static TrainingRun wire(ExperimentModule module) {
        Injector injector = Guice.createInjector(module);
        CamModel model = provide(() -> injector.getInstance(CamModel.class));
        return new TrainingRun(injector, module, model);
    }

    /** Runs a Guice lookup, unwrapping the exception a provider threw from Guice's {@link ProvisionException}. */
    private static <T> T provide(java.util.function.Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (ProvisionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CamlossException ce) {
                throw ce;
            }
            if (cause instanceof IllegalArgumentException iae) {
                throw new UserException(iae.getMessage(), iae);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }
}
