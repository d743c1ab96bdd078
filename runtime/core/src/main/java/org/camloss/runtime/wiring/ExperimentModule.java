package org.camloss.runtime.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.time.Duration;
import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.Loss;
import org.camloss.api.data.Dataset;
import org.camloss.engine.head.CamHead;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.camloss.engine.model.Transfer;
import org.camloss.engine.optim.CoupledWeightDecay;
import org.camloss.engine.optim.HostGraphUpdater;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.eval.Evaluator;
import org.camloss.runtime.train.RunStore;
import org.camloss.runtime.train.TrainListener;
import org.camloss.runtime.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Guice wiring of one training run: the plugin instances made from the validated config, the objective, the model,
 * the evaluator and the trainer. Package-private; {@link Wiring} is the entry point and the facade exposes no Guice
 * types.
 */
final class ExperimentModule extends AbstractModule {
    private final ExperimentConfig config;
    private final ExperimentParts components;
    private final Duration gcInterval;
    private final ComputationGraph restored;
    private List<TrainListener> listeners = List.of();
    private RunStore store = RunStore.NONE;

    /**
     * @param restored a graph read from a checkpoint (parameters, updater state, iteration count) to continue
     *                 training, or null to assemble a new model
     */
    ExperimentModule(
            ExperimentConfig config, ExperimentParts components, Duration gcInterval, ComputationGraph restored) {
        this.config = config;
        this.components = components;
        this.gcInterval = gcInterval;
        this.restored = restored;
    }

    /** The listeners and store of the trainer, set before it is made (the run directory exists only then). */
    void trainerSetup(List<TrainListener> listeners, RunStore store) {
        this.listeners = List.copyOf(listeners);
        this.store = store;
    }

    @Override
    protected void configure() {
        bind(ExperimentConfig.class).toInstance(config);
        bind(Dataset.class).toInstance(components.dataset());
        bind(Backbone.class).toInstance(components.backbone());
        bind(Loss.class).toInstance(components.loss());
    }

    @Provides
    @Singleton
    Objective objective() {
        Objective objective = new Objective(components.loss(), components.regularizers(), components.distillers());
        if (components.teacher() != null) {
            objective.bindTeacher(components.teacher());
        }
        return objective;
    }

    @Provides
    @Singleton
    CamModel model(Dataset data, Backbone backbone, Objective objective) {
        if (restored != null) {
            CamHead head = (CamHead) restored.getLayer(CamModel.HEAD).conf().getLayer();
            CamModel model = new CamModel(
                    restored,
                    head.getFeatureVertex(),
                    backbone.info(),
                    data.info().shape());
            model.setObjective(objective);
            restored.addListeners(new CoupledWeightDecay(components.optimizer().weightDecay()));
            // as ModelAssembler does for a new model; the restored updater state is kept as it is
            HostGraphUpdater.install(restored);
            return model;
        }
        int steps = (data.train().size() + config.train().batchSize() - 1)
                / config.train().batchSize();
        var freeze = config.transfer().freeze();
        String frozenUpTo = freeze.backbone()
                ? backbone.info().stages().isEmpty()
                        ? null
                        : backbone.info()
                                .stages()
                                .get(backbone.info().stages().size() - 1)
                                .vertex()
                : freeze.stages() > 0
                        ? backbone.info().stages().get(freeze.stages() - 1).vertex()
                        : null;
        CamModel model = new ModelAssembler()
                .seed(config.seed())
                .backboneName(config.backbone().id())
                .updater(components
                        .optimizer()
                        .updater(components
                                .schedule()
                                .create(
                                        components.optimizer().learningRate(),
                                        config.train().epochs(),
                                        steps)))
                .freezeUpTo(frozenUpTo, freeze.batchNorm().equals("train"))
                .learningRateMultipliers(
                        config.transfer().lrMult().backbone(),
                        config.transfer().lrMult().head())
                .assemble(backbone, data.info().shape(), data.info().numClasses(), objective);
        if (components.init() != null) {
            InitSource init = components.init();
            try {
                Transfer.copy(
                        init.graph(),
                        model.graph(),
                        init.spec().parts().equals("all"),
                        init.spec().firstConv().equals("adapt") ? Transfer.FirstConv.ADAPT : Transfer.FirstConv.REFUSE);
            } catch (IllegalArgumentException e) {
                String shape = init.sourceShape();
                String hint =
                        shape.isEmpty() || shape.equals(data.info().shape().toString())
                                ? ""
                                : " (the source was trained on " + shape + " images, this config's are "
                                        + data.info().shape() + ")";
                throw new IllegalArgumentException("init.from: " + init.file() + ": " + e.getMessage() + hint, e);
            }
        }
        model.graph().addListeners(new CoupledWeightDecay(components.optimizer().weightDecay()));
        return model;
    }

    @Provides
    @Singleton
    Evaluator evaluator() {
        return new Evaluator(Math.max(config.train().batchSize(), 256));
    }

    @Provides
    @Singleton
    Trainer trainer(CamModel model, Dataset data, Evaluator evaluator) {
        return new Trainer(
                model,
                data,
                components.regularizers(),
                components.teacher(),
                config.train(),
                config.seed(),
                evaluator,
                listeners,
                store,
                gcInterval);
    }
}
