package org.camloss.runtime.optim;

import java.util.List;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.engine.optim.ClassicalMomentum;
import org.camloss.engine.optim.CosineSchedule;
import org.camloss.engine.optim.StepSchedule;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The optimizers ({@code sgd}, {@code adam}) and schedules ({@code constant}, {@code cosine}, {@code step}) built
 * into the runtime, declared like plugins.
 */
public final class Builtins {
    private Builtins() {}

    /** Every built-in optimizer factory. */
    public static List<OptimizerFactory> optimizers() {
        return List.of(new Sgd(), new AdamOptimizer());
    }

    /** Every built-in schedule factory. */
    public static List<ScheduleFactory> schedules() {
        return List.of(new Constant(), new Cosine(), new Step());
    }

    /** The parameters shared by both optimizers: a base rate and coupled weight decay. */
    private record Configured(
            double learningRate, double weightDecay, java.util.function.Function<ISchedule, IUpdater> make)
            implements Optimizer {
        @Override
        public IUpdater updater(ISchedule schedule) {
            return make.apply(schedule);
        }
    }

    /** {@code sgd}: classical momentum as in PyTorch, optional Nesterov, coupled weight decay. */
    static final class Sgd implements OptimizerFactory {
        @Override
        public String id() {
            return "sgd";
        }

        @Override
        public String description() {
            return "Stochastic gradient descent with momentum and coupled L2 weight decay.";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.ofDouble("lr", 0.1, Range.openClosed(0, 10), "learning rate"),
                    ParamSpec.ofDouble(
                            "momentum", 0.9, Range.closedOpen(0, 1), "momentum factor; 0 turns momentum off"),
                    ParamSpec.ofBoolean("nesterov", false, "use Nesterov momentum"),
                    ParamSpec.ofDouble("weight_decay", 5e-4, 0, 1, "coupled L2 on every parameter"));
        }

        @Override
        public Optimizer create(Params p) {
            double lr = p.getDouble("lr");
            double momentum = p.getDouble("momentum");
            boolean nesterov = p.getBoolean("nesterov");
            return new Configured(
                    lr,
                    p.getDouble("weight_decay"),
                    schedule -> new ClassicalMomentum(lr, schedule, momentum, nesterov));
        }
    }

    /** {@code adam}: Adam with coupled weight decay. */
    static final class AdamOptimizer implements OptimizerFactory {
        @Override
        public String id() {
            return "adam";
        }

        @Override
        public String description() {
            return "Adam with coupled L2 weight decay.";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.ofDouble("lr", 1e-3, Range.openClosed(0, 10), "learning rate"),
                    ParamSpec.ofDouble("beta1", 0.9, Range.closedOpen(0, 1), "decay of the first-moment estimate"),
                    ParamSpec.ofDouble("beta2", 0.999, Range.closedOpen(0, 1), "decay of the second-moment estimate"),
                    ParamSpec.ofDouble("eps", 1e-8, Range.openClosed(0, 1), "added to the denominator for stability"),
                    ParamSpec.ofDouble("weight_decay", 0, 0, 1, "coupled L2 on every parameter"));
        }

        @Override
        public Optimizer create(Params p) {
            double lr = p.getDouble("lr");
            double beta1 = p.getDouble("beta1");
            double beta2 = p.getDouble("beta2");
            double eps = p.getDouble("eps");
            return new Configured(lr, p.getDouble("weight_decay"), schedule -> {
                Adam adam = new Adam(lr, beta1, beta2, eps);
                if (schedule != null) {
                    adam.setLearningRateSchedule(schedule);
                }
                return adam;
            });
        }
    }

    /** {@code constant}: the optimizer's rate throughout. */
    static final class Constant implements ScheduleFactory {
        @Override
        public String id() {
            return "constant";
        }

        @Override
        public String description() {
            return "Keeps the optimizer's learning rate for every epoch.";
        }

        @Override
        public Schedule create(Params p) {
            return (lr, epochs, steps) -> null;
        }
    }

    /** {@code cosine}: linear warm-up, then cosine decay per step. */
    static final class Cosine implements ScheduleFactory {
        @Override
        public String id() {
            return "cosine";
        }

        @Override
        public String description() {
            return "Linear warmup from 0, then cosine decay from the optimizer's lr to final_lr at the last epoch.";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.ofDouble("final_lr", 0, 0, 10, "learning rate at the end of the last epoch"),
                    ParamSpec.ofInt(
                            "warmup_epochs", 0, 0, 100000, "epochs of linear warmup; must be less than train.epochs"));
        }

        @Override
        public Schedule create(Params p) {
            double finalLr = p.getDouble("final_lr");
            int warmup = p.getInt("warmup_epochs");
            return (lr, epochs, steps) -> new CosineSchedule(lr, finalLr, epochs * steps, warmup * steps);
        }
    }

    /** {@code step}: multiply by gamma every step_epochs epochs. */
    static final class Step implements ScheduleFactory {
        @Override
        public String id() {
            return "step";
        }

        @Override
        public String description() {
            return "Multiplies the learning rate by gamma every step_epochs epochs.";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.ofInt("step_epochs", 30, 1, 100000, "epochs between decays"),
                    ParamSpec.ofDouble("gamma", 0.1, Range.openClosed(0, 1), "decay factor"));
        }

        @Override
        public Schedule create(Params p) {
            double gamma = p.getDouble("gamma");
            int every = p.getInt("step_epochs");
            return (lr, epochs, steps) -> new StepSchedule(lr, gamma, every * steps);
        }
    }
}
