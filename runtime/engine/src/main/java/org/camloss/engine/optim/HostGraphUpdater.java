package org.camloss.engine.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camloss.engine.HostMemory;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.NoOpUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * DL4J's graph updater with the update of a {@link ClassicalMomentum} network done as one Java loop over the flat
 * gradient and updater-state arrays' host memory, where DL4J's {@code BaseMultiLayerUpdater} and {@code UpdaterBlock}
 * make half of a training step's native calls (ResNet-20: 1098 of 2182, nearly all shape information for views made
 * anew in every step, some for regularization that is not configured, plus a {@code div_scalar} per stretch of the
 * gradient; docs/performance.md, "Change 17").
 *
 * <p>Takes over only when every updater block is {@link ClassicalMomentum} or DL4J's {@code NoOp}, no parameter has a
 * regularization, no layer normalizes or clips its gradient, no block is a pretraining block, the backend is the CPU
 * and the parameters, gradients and state are float or double arrays laid out as DL4J lays them out (each block's
 * views inside the flat arrays at the block's offsets). Then {@link #update} divides by the minibatch where DL4J
 * would and steps the momentum, element by element in DL4J's order of float operations (g ← g / B, v ← μ·v + g,
 * g ← lr·v or lr·(g + μ·v)), so parameters and state are bit for bit as with DL4J's code. Otherwise — for a gradient
 * that is not the graph's own flat gradient (another network's, DL4J's "external" case), or with
 * {@value #PROPERTY}{@code =dl4j} (read at every update) — it is DL4J's code unchanged ({@code super.update}). The
 * state array is DL4J's layout, so saved models and checkpoints are the same either way.
 *
 * <p>Installed by {@link #install} where the trainer, {@code bench} and Spark's workers prepare a graph for training;
 * DL4J makes a plain updater again where it rebuilds one itself ({@code ComputationGraph.clone()},
 * {@code NetworkUtils.setLearningRate}), which is only slower. DL4J's {@code ComputationGraph.equals} compares the
 * updaters' classes too, so a graph on this updater does not equal one on DL4J's.
 */
public final class HostGraphUpdater extends ComputationGraphUpdater {
    /** System property: {@code dl4j} runs DL4J's own update path (read at every update and by {@link #install}). */
    public static final String PROPERTY = "camloss.updater";

    /** The segments of the flat gradient and what to do with them, or null when DL4J's path must run. */
    private final transient Plan plan;

    private HostGraphUpdater(ComputationGraph graph, INDArray state) {
        super(graph, state);
        this.plan = Plan.of(this);
    }

    /**
     * Makes {@code graph} update through a {@link HostGraphUpdater} when its configuration allows (see the class
     * comment), keeping the updater state it has (restored from a checkpoint, or broadcast by Spark's parameter
     * averaging) as it is.
     *
     * @return whether the graph's updater is now a {@link HostGraphUpdater} whose fast path applies
     */
    public static boolean install(ComputationGraph graph) {
        if (off()) {
            return false;
        }
        ComputationGraphUpdater current = graph.getUpdater(false);
        if (current instanceof HostGraphUpdater h) {
            return h.plan != null;
        }
        if (!configurationAllows(graph)) {
            return false;
        }
        HostGraphUpdater u = new HostGraphUpdater(graph, current == null ? null : current.getStateViewArray());
        if (u.plan == null) {
            return false;
        }
        graph.setUpdater(u);
        return true;
    }

    /** Whether the fast path runs for this updater's graph (false: every update is DL4J's). */
    public boolean takesOver() {
        return plan != null;
    }

    private static boolean off() {
        return "dl4j".equals(System.getProperty(PROPERTY));
    }

    @Override
    public synchronized void update(
            Gradient gradient, int iteration, int epoch, int batchSize, LayerWorkspaceMgr workspaceMgr) {
        if (plan == null
                || off()
                || !ownGradient(gradient)
                || !plan.current(getFlattenedGradientsView(), updaterStateViewArray)) {
            super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
            return;
        }
        workspaceMgr.assertNotOpen(ArrayType.UPDATER_WORKING_MEM, "Updater working memory");
        plan.run(isMiniBatch(), batchSize, iteration, epoch);
    }

    /** DL4J's {@code DefaultGradient.flattenedGradient}, or null where it cannot be read. */
    private static final java.lang.reflect.Field FLATTENED = flattenedField();

    private static java.lang.reflect.Field flattenedField() {
        try {
            java.lang.reflect.Field f = DefaultGradient.class.getDeclaredField("flattenedGradient");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether {@code gradient} is the graph's own flat gradient. DL4J 1.0.0-M2.1's {@code DefaultGradient.gradient()}
     * returns a new reshaped view on every call, so DL4J's own test ({@code gradient.gradient() !=
     * getFlattenedGradientsView()}) always finds an "external" gradient and takes {@code updateExternalGradient}, on
     * the same memory; here the gradient's array is compared without making a view (a native call).
     */
    private boolean ownGradient(Gradient gradient) {
        INDArray flat = getFlattenedGradientsView();
        if (FLATTENED != null && gradient instanceof DefaultGradient d) {
            try {
                return FLATTENED.get(d) == flat;
            } catch (IllegalAccessException e) {
                // below
            }
        }
        INDArray g = gradient.gradient();
        return g != null
                && g.length() == flat.length()
                && g.elementWiseStride() == 1
                && g.dataType() == flat.dataType()
                && g.data().addressPointer().address()
                        == flat.data().addressPointer().address();
    }

    /** Whether no layer of {@code graph} regularizes a parameter or normalizes its gradient (checked before building). */
    private static boolean configurationAllows(ComputationGraph graph) {
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            TrainingConfig c = l.getConfig();
            if (c == null || l.numParams() == 0) {
                continue;
            }
            GradientNormalization n = c.getGradientNormalization();
            if (n != null && n != GradientNormalization.None) {
                return false;
            }
            for (String p : l.paramTable(false).keySet()) {
                List<Regularization> r = c.getRegularizationByParam(p);
                if (r != null && !r.isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The flat gradient cut into segments, each inside one updater block and either divided by the minibatch or not;
     * per segment the block's momentum configuration (null for NoOp) and where its state lies.
     */
    private static final class Plan {
        private final INDArray gradients;
        private final INDArray state;
        private final boolean isFloat;
        private final int[] start;
        private final int[] end;
        private final boolean[] divide;
        /** State index of a segment's gradient index i is i + stateShift[s]. */
        private final int[] stateShift;

        private final ClassicalMomentum.Updater[] momentum;
        private FloatBuffer gf;
        private FloatBuffer sf;
        private DoubleBuffer gd;
        private DoubleBuffer sd;

        private Plan(
                INDArray gradients,
                INDArray state,
                List<int[]> segments,
                List<Boolean> divides,
                List<ClassicalMomentum.Updater> updaters) {
            this.gradients = gradients;
            this.state = state;
            this.isFloat = gradients.dataType() == DataType.FLOAT;
            int n = segments.size();
            start = new int[n];
            end = new int[n];
            stateShift = new int[n];
            divide = new boolean[n];
            momentum = new ClassicalMomentum.Updater[n];
            for (int i = 0; i < n; i++) {
                start[i] = segments.get(i)[0];
                end[i] = segments.get(i)[1];
                stateShift[i] = segments.get(i)[2];
                divide[i] = divides.get(i);
                momentum[i] = updaters.get(i);
            }
            int g = (int) gradients.length();
            int s = state == null ? 0 : (int) state.length();
            if (isFloat) {
                gf = HostMemory.floats(gradients, g);
                sf = s == 0 ? null : HostMemory.floats(state, s);
            } else {
                gd = HostMemory.doubles(gradients, g);
                sd = s == 0 ? null : HostMemory.doubles(state, s);
            }
        }

        /** Whether the graph still holds the arrays this plan reads and writes. */
        boolean current(INDArray gradients, INDArray state) {
            return gradients == this.gradients && state == this.state;
        }

        /** The plan for {@code u}'s blocks, or null when any of them needs DL4J's path. */
        static Plan of(HostGraphUpdater u) {
            INDArray grads = u.getFlattenedGradientsView();
            INDArray params = u.getParams();
            INDArray state = u.getStateViewArray();
            if (!HostLoops.cpu() || !flat(grads) || !flat(params) || state != null && !flat(state)) {
                return null;
            }
            DataType type = grads.dataType();
            if (type != DataType.FLOAT && type != DataType.DOUBLE
                    || params.dataType() != type
                    || state != null && state.dataType() != type
                    || grads.length() != params.length()
                    || grads.length() > Integer.MAX_VALUE) {
                return null;
            }
            boolean[] divided = dividedByMinibatch(u, (int) grads.length());
            long width = type.width();
            List<int[]> segments = new ArrayList<>();
            List<Boolean> divides = new ArrayList<>();
            List<ClassicalMomentum.Updater> updaters = new ArrayList<>();
            for (UpdaterBlock b : u.getUpdaterBlocks()) {
                if (b.isPretrainUpdaterBlock()) {
                    return null;
                }
                for (UpdaterBlock.ParamState p : b.getLayersAndVariablesInBlock()) {
                    List<Regularization> r = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
                    if (r != null && !r.isEmpty()) {
                        return null;
                    }
                }
                int ps = b.getParamOffsetStart();
                int pe = b.getParamOffsetEnd();
                if (pe == ps) {
                    continue;
                }
                if (b.getGradientView() == null || address(b.getGradientView()) != address(grads) + width * ps) {
                    return null;
                }
                GradientUpdater<?> g = b.getGradientUpdater();
                ClassicalMomentum.Updater m;
                int shift;
                if (g instanceof ClassicalMomentum.Updater cm) {
                    int ss = b.getUpdaterViewOffsetStart();
                    INDArray v = cm.state();
                    if (state == null
                            || b.getUpdaterViewOffsetEnd() - ss != pe - ps
                            || v.length() != pe - ps
                            || v.elementWiseStride() != 1
                            || address(v) != address(state) + width * ss) {
                        return null;
                    }
                    m = cm;
                    shift = ss - ps;
                } else if (g instanceof NoOpUpdater) {
                    m = null;
                    shift = 0;
                } else {
                    return null;
                }
                int i = ps;
                while (i < pe) {
                    int j = i + 1;
                    while (j < pe && divided[j] == divided[i]) {
                        j++;
                    }
                    segments.add(new int[] {i, j, shift});
                    divides.add(divided[i]);
                    updaters.add(m);
                    i = j;
                }
            }
            return new Plan(grads, state, segments, divides, updaters);
        }

        /**
         * Which gradient elements DL4J divides by the minibatch: its {@code getMinibatchDivisionSubsets}, as offsets
         * (every parameter whose layer says {@code updaterDivideByMinibatch}; batch norm's running statistics not).
         */
        private static boolean[] dividedByMinibatch(HostGraphUpdater u, int length) {
            boolean[] out = new boolean[length];
            int offset = 0;
            for (Trainable t : u.getOrderedLayers()) {
                Map<String, INDArray> table = t.paramTable(false);
                for (String s : table.keySet()) {
                    int n = (int) table.get(s).length();
                    if (t.updaterDivideByMinibatch(s)) {
                        java.util.Arrays.fill(out, offset, offset + n, true);
                    }
                    offset += n;
                }
            }
            return out;
        }

        private static boolean flat(INDArray a) {
            return a.elementWiseStride() == 1 && a.isVector() && a.length() <= Integer.MAX_VALUE;
        }

        private static long address(INDArray a) {
            return a.data().addressPointer().address();
        }

        /**
         * One pass over the segments; {@code miniBatch}: DL4J's {@code isMiniBatch()} (divide by {@code batch}). Float
         * gradients and state are copied to Java arrays and back in bulk around the loops ({@link HostLoops#scratch}).
         */
        void run(boolean miniBatch, int batch, int iteration, int epoch) {
            float[] ga = null;
            float[] sa = null;
            if (isFloat) {
                ga = HostLoops.scratch(0, gf.limit());
                gf.get(0, ga, 0, gf.limit());
                if (sf != null) {
                    sa = HostLoops.scratch(1, sf.limit());
                    sf.get(0, sa, 0, sf.limit());
                }
            }
            segments(ga, sa, miniBatch, batch, iteration, epoch);
            if (isFloat) {
                gf.put(0, ga, 0, gf.limit());
                if (sf != null) {
                    sf.put(0, sa, 0, sf.limit());
                }
            }
        }

        /** The segments' loops; {@code ga}, {@code sa}: the float gradients and state ({@code null} for doubles). */
        private void segments(float[] ga, float[] sa, boolean miniBatch, int batch, int iteration, int epoch) {
            for (int s = 0; s < start.length; s++) {
                ClassicalMomentum.Updater m = momentum[s];
                boolean div = miniBatch && divide[s];
                if (m == null) {
                    if (div && isFloat) {
                        divideFloat(s, batch, ga);
                    } else if (div) {
                        divideDouble(s, batch);
                    }
                    continue;
                }
                ClassicalMomentum c = m.getConfig();
                double lr = c.getLearningRate(iteration, epoch);
                if (isFloat) {
                    momentumFloat(ga, sa, s, div ? batch : 1, div, (float) c.momentum(), (float) lr, c.nesterov());
                } else {
                    momentumDouble(s, div ? batch : 1, div, c.momentum(), lr, c.nesterov());
                }
            }
        }

        private void divideFloat(int s, int batch, float[] ga) {
            float b = batch;
            for (int i = start[s]; i < end[s]; i++) {
                ga[i] = ga[i] / b;
            }
        }

        private void divideDouble(int s, int batch) {
            double b = batch;
            for (int i = start[s]; i < end[s]; i++) {
                gd.put(i, gd.get(i) / b);
            }
        }

        // g ← g / B (DL4J's divi of a float scalar), then HostLoops.momentum's operations
        private void momentumFloat(
                float[] ga, float[] sa, int s, int batch, boolean div, float mu, float lr, boolean nesterov) {
            float b = batch;
            int shift = stateShift[s];
            for (int i = start[s]; i < end[s]; i++) {
                float g = div ? ga[i] / b : ga[i];
                float v = mu * sa[i + shift] + g;
                sa[i + shift] = v;
                ga[i] = nesterov ? (g + mu * v) * lr : v * lr;
            }
        }

        private void momentumDouble(int s, int batch, boolean div, double mu, double lr, boolean nesterov) {
            double b = batch;
            int shift = stateShift[s];
            for (int i = start[s]; i < end[s]; i++) {
                double g = div ? gd.get(i) / b : gd.get(i);
                double v = mu * sd.get(i + shift) + g;
                sd.put(i + shift, v);
                gd.put(i, nesterov ? (g + mu * v) * lr : v * lr);
            }
        }
    }
}
