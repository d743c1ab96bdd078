package org.camloss.runtime.optim;

import org.camloss.engine.optim.ClassicalMomentum;
import org.camloss.engine.optim.CosineSchedule;
import org.camloss.engine.optim.StepSchedule;
import org.camloss.api.Params;
import org.camloss.runtime.config.PluginSpec;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/** Turns the config's {@code optimizer} and {@code schedule} sections into a DL4J updater. */
public final class Optimizers {
    private Optimizers() {
    }

    /**
     * The updater for a run of {@code epochs} epochs of {@code stepsPerEpoch} steps.
     *
     * @param optimizer validated {@code sgd} or {@code adam} spec
     * @param schedule  validated {@code constant}, {@code cosine} or {@code step} spec
     */
    public static IUpdater updater(PluginSpec optimizer, PluginSpec schedule, int epochs, int stepsPerEpoch) {
        Params o = optimizer.toParams();
        double lr = o.getDouble("lr");
        ISchedule lrSchedule = schedule(schedule, lr, epochs, stepsPerEpoch);
        return switch (optimizer.id()) {
            case "sgd" -> new ClassicalMomentum(lr, lrSchedule, o.getDouble("momentum"), o.getBoolean("nesterov"));
            case "adam" -> {
                Adam adam = new Adam(lr, o.getDouble("beta1"), o.getDouble("beta2"), o.getDouble("eps"));
                if (lrSchedule != null) {
                    adam.setLearningRateSchedule(lrSchedule);
                }
                yield adam;
            }
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer.id() + "'");
        };
    }

    /** The coupled weight decay λ of the optimizer. */
    public static double weightDecay(PluginSpec optimizer) {
        return optimizer.toParams().getDouble("weight_decay");
    }

    static ISchedule schedule(PluginSpec schedule, double lr, int epochs, int stepsPerEpoch) {
        Params s = schedule.toParams();
        return switch (schedule.id()) {
            case "constant" -> null;
            case "cosine" -> new CosineSchedule(lr, s.getDouble("final_lr"), epochs * stepsPerEpoch,
                    s.getInt("warmup_epochs") * stepsPerEpoch);
            case "step" -> new StepSchedule(lr, s.getDouble("gamma"), s.getInt("step_epochs") * stepsPerEpoch);
            default -> throw new IllegalArgumentException("unknown schedule '" + schedule.id() + "'");
        };
    }
}
