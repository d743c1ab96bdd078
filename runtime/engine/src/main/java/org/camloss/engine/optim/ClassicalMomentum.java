package org.camloss.engine.optim;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * SGD with classical (heavy-ball) momentum as PyTorch's {@code torch.optim.SGD} does it:
 * v ← μ·v + g; w ← w − lr·v, or with {@code nesterov} w ← w − lr·(g + μ·v). DL4J's own
 * {@code Nesterovs} updater is Nesterov only.
 */
public final class ClassicalMomentum implements IUpdater {
    @JsonProperty
    private double learningRate;

    @JsonProperty
    private ISchedule learningRateSchedule;

    @JsonProperty
    private double momentum;

    @JsonProperty
    private boolean nesterov;

    /** For JSON. */
    public ClassicalMomentum() {
        this(0.1, null, 0.9, false);
    }

    /**
     * @param learningRate fixed learning rate (ignored when a schedule is given)
     * @param schedule     learning rate per iteration, or null
     * @param momentum     μ in [0, 1)
     * @param nesterov     PyTorch-style Nesterov variant
     */
    public ClassicalMomentum(double learningRate, ISchedule schedule, double momentum, boolean nesterov) {
        this.learningRate = learningRate;
        this.learningRateSchedule = schedule;
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    public double momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        INDArray flat = viewArray.reshape(viewArray.length());
        u.setStateViewArray(flat, flat.shape(), flat.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public IUpdater clone() {
        return new ClassicalMomentum(
                learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), momentum, nesterov);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    /** The learning-rate schedule, or null for the constant {@code learningRate}. */
    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassicalMomentum c
                && c.learningRate == learningRate
                && c.momentum == momentum
                && c.nesterov == nesterov
                && Objects.equals(c.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, momentum, nesterov);
    }

    /** The state (velocity v, one value per parameter) and the step. */
    static final class Updater implements GradientUpdater<ClassicalMomentum> {
        private static final String V = "V";
        private final ClassicalMomentum config;
        private INDArray v;

        Updater(ClassicalMomentum config) {
            this.config = config;
        }

        @Override
        public ClassicalMomentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            if (!stateMap.containsKey(V) || stateMap.size() != 1) {
                throw new IllegalStateException("state must hold exactly key " + V + ", found " + stateMap.keySet());
            }
            this.v = stateMap.get(V);
            if (initialize) {
                v.assign(0);
            }
        }

        /** The velocity v (a view of DL4J's flat updater state), for {@link HostGraphUpdater}'s checks. */
        INDArray state() {
            return v;
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(V, v);
        }

        @Override
        public void setStateViewArray(
                INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            this.v = viewArray.reshape(gradientOrder, gradientShape);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            double mu = config.momentum;
            if (HostLoops.applies(v, gradient)) {
                // one Java loop over host memory, where ND4J's ops take seven executioner calls (a view, two scalar
                // operands, four ops; docs/performance.md, "Profile of what is left")
                HostLoops.momentum(mu, lr, config.nesterov, v, gradient);
                return;
            }
            INDArray vel = v.reshape(gradient.shape()); // a view of the state in the gradient's shape
            vel.muli(mu).addi(gradient); // v ← μ v + g
            if (config.nesterov) {
                gradient.addi(vel.mul(mu)).muli(lr); // update = lr (g + μ v)
            } else {
                gradient.assign(vel).muli(lr); // update = lr v
            }
        }
    }
}
