package org.camloss.spark;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.camloss.api.Distiller;
import org.camloss.api.Loss;
import org.camloss.api.Regularizer;
import org.camloss.engine.head.CamHeadLayer;
import org.camloss.engine.head.Objective;
import org.camloss.engine.head.TeacherColumns;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.optim.CoupledWeightDecay;
import org.camloss.engine.optim.HostGraphUpdater;
import org.camloss.runtime.registry.PluginKind;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Gives every graph a worker rebuilds its own objective before its first step: DL4J's parameter averaging rebuilds
 * the network from its configuration on each worker for each averaging round, and objectives are not part of a
 * configuration. In a separate executor JVM the rebuilt head has no objective and would refuse to train. In
 * {@code local[N]} it is worse: Spark hands tasks in the driver's JVM the broadcast configuration object itself, and
 * DL4J's {@code Layer.clone} is shallow, so each worker's own copy of the head still points at the driver's objective
 * — one non-thread-safe objective shared by every worker thread (seen in {@code local[2]}: distinct head configurations
 * per task, one objective instance). The hook therefore always replaces it.
 *
 * <p>Gives each rebuilt graph the driver's iteration and epoch counts, so that learning-rate schedules run on the
 * workers as in one process: DL4J 1.0.0-M2's worker builds its graph from {@code ComputationGraphConfiguration.clone()},
 * which drops both counts, so without this every worker stepped every round at iteration 0 of the schedule (a cosine
 * schedule never decayed on Spark: the whole run at the initial rate). The counts are taken from the driver's
 * configuration when the hook is serialised for a round's tasks ({@link #follow}), after DL4J has advanced the
 * driver's count by the previous round's {@code averaging_frequency} steps.
 *
 * <p>Also attaches {@link CoupledWeightDecay}: listeners of the driver's graph do not travel to the workers; installs
 * {@link HostGraphUpdater} as the driver's graph has it (keeping the updater state DL4J's worker set from the
 * broadcast, which the averaging reads back from {@code getUpdater().getStateViewArray()}); and, after
 * every minibatch, reports its size, loss and terms to the driver through a Spark accumulator ({@link #collect}), from
 * which the engine makes the epoch's {@code train_loss} and {@code train_<term>} means.
 */
final class ExecutorObjective implements TrainingHook, Serializable {
    private static final long serialVersionUID = 1L;

    private final Specs loss;
    private final List<Specs> regularizers;
    private final double weightDecay;
    private final int[] pixelGrid;
    private final List<Specs> distillers;
    private final TeacherColumns teacher;
    private int epoch;
    /** Where workers report their minibatches, or null (then nothing is reported). */
    private org.apache.spark.util.CollectionAccumulator<Step> steps;
    /** The graph last given an objective by this copy of the hook (each task gets its own copy). */
    private transient Model prepared;
    /** The driver's configuration whose counts {@link #writeObject} copies; null on executors. */
    private transient ComputationGraphConfiguration driver;
    /** The driver's iteration count when this copy was serialised: the schedule position of a round's first step. */
    private int iteration;
    /** The driver's epoch count when this copy was serialised. */
    private int epochCount;

    ExecutorObjective(Specs loss, List<Specs> regularizers, double weightDecay) {
        this(loss, regularizers, weightDecay, null, List.of(), null);
    }

    /**
     * @param pixelGrid  the driver's objective's feature-map size for per-cell targets (a regularizer with regional
     *     targets), which each worker's objective is bound to as {@code CamModel.setObjective} does; null without
     * @param distillers the config's distiller nodes (empty without distillation)
     * @param teacher    the teacher's label layout the distillers read their signals from, or null without
     */
    ExecutorObjective(
            Specs loss,
            List<Specs> regularizers,
            double weightDecay,
            int[] pixelGrid,
            List<Specs> distillers,
            TeacherColumns teacher) {
        this.loss = loss;
        this.regularizers = new ArrayList<>(regularizers);
        this.weightDecay = weightDecay;
        this.pixelGrid = pixelGrid == null ? null : pixelGrid.clone();
        this.distillers = new ArrayList<>(distillers);
        this.teacher = teacher;
    }

    /**
     * One worker minibatch as reported to the driver.
     *
     * @param examples its size
     * @param loss     the model's score for it (as {@code graph.score()} after a single-process step)
     * @param terms    the head's terms for it, by name
     * @param iteration the iteration count (schedule position) the worker's updater used for it
     */
    record Step(int examples, double loss, java.util.LinkedHashMap<String, Double> terms, int iteration)
            implements Serializable {}

    /** Makes workers add one {@link Step} per minibatch to {@code steps} (an accumulator registered on the driver). */
    void collect(org.apache.spark.util.CollectionAccumulator<Step> steps) {
        this.steps = steps;
    }

    /**
     * Makes every copy of this hook serialised from now on carry {@code driver}'s iteration and epoch counts at that
     * moment, which each rebuilt worker graph then starts from.
     */
    void follow(ComputationGraphConfiguration driver) {
        this.driver = driver;
    }

    /** The schedule position (iteration count) this copy gives the graphs it prepares. */
    int iteration() {
        return iteration;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        if (driver != null) {
            iteration = driver.getIterationCount();
            epochCount = driver.getEpochCount();
        }
        out.defaultWriteObject();
    }

    /** The epoch the next job's objectives are set to (their warm-ups and ramps); set on the driver before a job. */
    void epoch(int epoch) {
        this.epoch = epoch;
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        prepare(model);
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        prepare(model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        report(minibatch.numExamples(), model);
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        report((int) minibatch.getFeatures(0).size(0), model);
    }

    private void report(int examples, Model model) {
        if (steps == null) {
            return;
        }
        CamHeadLayer head = (CamHeadLayer) ((ComputationGraph) model).getLayer(CamModel.HEAD);
        // fit has advanced the count past the step just taken
        int used = ((ComputationGraph) model).getConfiguration().getIterationCount() - 1;
        steps.add(new Step(examples, model.score(), new java.util.LinkedHashMap<>(head.lastTerms()), used));
    }

    private void prepare(Model model) {
        if (model == prepared) {
            return;
        }
        ComputationGraph graph = (ComputationGraph) model;
        graph.getConfiguration().setIterationCount(iteration);
        graph.getConfiguration().setEpochCount(epochCount);
        Objective objective = objective();
        objective.setEpoch(epoch);
        if (pixelGrid != null) {
            objective.bindPixelGrid(pixelGrid[0], pixelGrid[1]);
        }
        CamHeadLayer head = (CamHeadLayer) graph.getLayer(CamModel.HEAD);
        head.head().setObjective(objective);
        head.redefine();
        graph.addListeners(new CoupledWeightDecay(weightDecay));
        // DL4J's worker made a plain updater holding the broadcast state; the host-loop updater keeps that state
        HostGraphUpdater.install(graph);
        prepared = model;
    }

    /**
     * The objective of the config's loss, regularizer and distiller nodes, made with the executor's plugins; with a
     * teacher, its signals are read from the label columns the executor's data function put after the targets.
     */
    Objective objective() {
        Loss l = Plugins.make(PluginKind.LOSS, loss);
        List<Regularizer> regs = new ArrayList<>();
        for (Specs r : regularizers) {
            regs.add(Plugins.make(PluginKind.REGULARIZER, r));
        }
        List<Distiller> dists = new ArrayList<>();
        for (Specs d : distillers) {
            dists.add(Plugins.make(PluginKind.DISTILLER, d));
        }
        Objective objective = new Objective(l, regs, dists);
        if (teacher != null) {
            TeacherColumns columns = teacher;
            objective.bindTeacher((context, labels) -> columns.slice(labels));
        }
        return objective;
    }
}
