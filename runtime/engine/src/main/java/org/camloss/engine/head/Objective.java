package org.camloss.engine.head;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.camloss.api.Distiller;
import org.camloss.api.EpochWeight;
import org.camloss.api.Loss;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.Regularizer;
import org.camloss.api.TargetEffect;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TermKernel;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole training objective of a model: the configured {@link Loss}, the penalty terms of the
 * {@link Regularizer}s and the {@link Distiller} terms, summed with their per-epoch weights.
 *
 * <p>Term weights live in small arrays that {@link #setEpoch(int)} updates in place, so warm-ups take
 * effect without rebuilding the graph. Not thread-safe; one objective belongs to one model.
 */
public final class Objective {
    /** Prefix of the SameDiff variable holding each term's value. */
    public static final String TERM_PREFIX = "term_";

    private final Loss loss;
    private final List<Regularizer> regularizers;
    private final List<Distiller> distillers;
    private final Map<String, EpochWeight> weights = new LinkedHashMap<>();
    private final Map<String, INDArray> weightArrays = new LinkedHashMap<>();
    private final Map<String, TermKernel> kernels = new LinkedHashMap<>();
    private TeacherBinding teacher;
    private int[] pixelGrid;
    private int epoch;
    private boolean useKernels = true;

    /**
     * @param loss         the main loss
     * @param regularizers regularizers contributing penalty terms (most contribute none)
     * @param distillers   distillers; require {@link #bindTeacher} before the graph is defined
     */
    public Objective(Loss loss, List<Regularizer> regularizers, List<Distiller> distillers) {
        this.loss = Objects.requireNonNull(loss, "loss");
        this.regularizers = List.copyOf(regularizers);
        this.distillers = List.copyOf(distillers);
    }

    /** An objective of one loss, no regularizers, no distillers. */
    public static Objective of(Loss loss) {
        return new Objective(loss, List.of(), List.of());
    }

    /** The loss. */
    public Loss loss() {
        return loss;
    }

    /** The distillers. */
    public List<Distiller> distillers() {
        return distillers;
    }

    /** The regularizers, in configuration order. */
    public List<Regularizer> regularizers() {
        return regularizers;
    }

    /**
     * What the regularizers together ask of the network ({@link Regularizer#network()}, merged).
     *
     * @throws IllegalArgumentException when two regularizers ask for the same part
     */
    public NetworkRegularization network() {
        NetworkRegularization all = NetworkRegularization.NONE;
        for (Regularizer r : regularizers) {
            all = all.merge(r.network());
        }
        return all;
    }

    /**
     * Whether a regularizer sets per-pixel targets ({@link TargetEffect#REGIONAL}): then the head's labels carry the
     * target of every feature-map cell after the K target columns ({@link #pixelGrid()}) and the loss terms see them
     * in {@link LossContext#pixelTargets()}.
     */
    public boolean regionalTargets() {
        return regularizers.stream().anyMatch(r -> r.targetEffect() == TargetEffect.REGIONAL);
    }

    /**
     * Sets the feature-map size the per-cell targets are given for; the model does so when it gets this objective.
     * Ignored without {@link #regionalTargets()}.
     */
    public void bindPixelGrid(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("feature grid must be positive, found " + height + "x" + width);
        }
        this.pixelGrid = new int[] {height, width};
    }

    /**
     * The feature-map size {h, w} whose per-cell targets the head's labels carry in columns [K, K + h·w·K) (cells
     * row-major, K classes each); empty without {@link #regionalTargets()}.
     *
     * @throws IllegalStateException when there are regional targets but no grid was bound
     */
    public java.util.Optional<int[]> pixelGrid() {
        if (!regionalTargets()) {
            return java.util.Optional.empty();
        }
        if (pixelGrid == null) {
            throw new IllegalStateException("a regularizer sets per-pixel targets but the objective was given no "
                    + "feature-map size (bindPixelGrid; CamModel.setObjective does it)");
        }
        return java.util.Optional.of(pixelGrid.clone());
    }

    /** Provides the teacher's outputs to distillers; called by the model when it defines the head. */
    public void bindTeacher(TeacherBinding binding) {
        this.teacher = binding;
    }

    /** Whether a teacher is bound, so the head's labels carry teacher signals after the K target columns. */
    public boolean hasTeacher() {
        return teacher != null;
    }

    /**
     * Whether terms with a {@link TermKernel} are computed by their kernel (the default) or differentiated by
     * SameDiff like every other term. Takes effect at the next {@link #define}.
     */
    public Objective useKernels(boolean on) {
        this.useKernels = on;
        return this;
    }

    /**
     * The terms the head computes with their kernels rather than SameDiff, by name (known once the graph is
     * defined; empty when kernels are off). Their {@code term_<name>} variables exist in the graph as the
     * reference definition but are not part of the returned total.
     */
    public Map<String, TermKernel> kernels() {
        return Collections.unmodifiableMap(kernels);
    }

    /** Names of the terms whose value SameDiff computes (all terms but the {@link #kernels()}). */
    public List<String> sameDiffTermNames() {
        return weights.keySet().stream().filter(t -> !kernels.containsKey(t)).toList();
    }

    /** The weight term {@code name} has now. */
    public double weightNow(String name) {
        EpochWeight w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("no term '" + name + "'; terms: " + weights.keySet());
        }
        return w.at(epoch);
    }

    /**
     * Adds every term to {@code sd} and returns their weighted sum (a batch mean). Each term value is
     * named {@code term_<name>}. For objectives without distillers. Terms computed by their
     * {@linkplain #kernels() kernels} are left out of the sum (a constant zero when all are); the caller adds
     * them.
     */
    public SDVariable define(LossContext context) {
        return define(context, context.targets());
    }

    /**
     * As {@link #define(LossContext)}, where {@code labels} is the head's whole label array: the K target
     * columns followed by whatever the bound teacher put there.
     */
    public SDVariable define(LossContext context, SDVariable labels) {
        SameDiff sd = context.sameDiff();
        if (teacher != null && regionalTargets()) {
            throw new IllegalStateException("per-pixel targets (cam_target: regional) cannot be combined with "
                    + "distillation: both ride in the head's label columns after the targets");
        }
        List<LossTerm> terms = new ArrayList<>(loss.define(context));
        for (Regularizer r : regularizers) {
            terms.addAll(r.define(context));
        }
        if (!distillers.isEmpty()) {
            if (teacher == null) {
                throw new IllegalStateException("distillers are configured but no teacher is bound");
            }
            TeacherOutputs t = teacher.define(context, labels);
            for (Distiller d : distillers) {
                terms.addAll(d.define(context, t));
            }
        }
        if (terms.isEmpty()) {
            throw new IllegalStateException("the objective has no terms");
        }
        weights.clear();
        weightArrays.clear();
        kernels.clear();
        boolean kernelsOn = useKernels;
        SDVariable total = null;
        for (LossTerm term : terms) {
            if (weights.containsKey(term.name())) {
                throw new IllegalStateException(
                        "two loss terms are named '" + term.name() + "'; rename one (terms: " + weights.keySet() + ")");
            }
            weights.put(term.name(), term.weight());
            INDArray w = Nd4j.scalar(term.value().dataType(), term.weight().at(epoch));
            weightArrays.put(term.name(), w);
            SDVariable value = sd.identity(TERM_PREFIX + term.name(), term.value());
            if (kernelsOn && term.kernel() != null) {
                kernels.put(term.name(), term.kernel());
                continue;
            }
            SDVariable weighted = value.mul(sd.constant("weight_" + term.name(), w));
            total = total == null ? weighted : total.add(weighted);
        }
        if (total == null) {
            // every term runs on its kernel: SameDiff's part of the objective is zero
            total = sd.constant(
                    "objective_zero", Nd4j.scalar(terms.get(0).value().dataType(), 0.0));
        }
        return total;
    }

    /** Term names in definition order (known once the graph is defined). */
    public List<String> termNames() {
        return List.copyOf(weights.keySet());
    }

    /** The weight each term has now. */
    public Map<String, Double> currentWeights() {
        Map<String, Double> out = new LinkedHashMap<>();
        weights.forEach((k, w) -> out.put(k, w.at(epoch)));
        return out;
    }

    /** Sets the zero-based epoch, updating term weights in place. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
        weights.forEach((name, w) -> weightArrays.get(name).assign(w.at(epoch)));
    }

    /** Defines the teacher's outputs on the student's head graph. */
    @FunctionalInterface
    public interface TeacherBinding {
        /**
         * Teacher signals as graph variables, for the student's {@code context}.
         *
         * @param labels the head's whole label array [N, K + extra]; the teacher's signals are in the extra columns
         */
        TeacherOutputs define(LossContext context, SDVariable labels);
    }
}
