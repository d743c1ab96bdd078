package org.camloss.testkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.HeadOutputs;
import org.camloss.api.LossContext;
import org.camloss.api.TermKernel;
import org.camloss.engine.head.CamHead;
import org.camloss.engine.head.Objective;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Evaluates an {@link Objective} on given arrays exactly as the {@link CamHead} defines it (GAP, linear
 * layer, terms; terms with a {@link TermKernel} by their kernel unless switched off), returning every term and
 * the gradients of the total. For reference-value tests of losses, regularizer penalties and distillers.
 */
public final class HeadHarness {
    private final DataType dataType;
    private final boolean kernels;

    /**
     * Evaluates the objective as training does: terms with a {@link TermKernel} by their kernel.
     *
     * @param dataType DOUBLE for reference checks, FLOAT for training precision
     */
    public HeadHarness(DataType dataType) {
        this(dataType, true);
    }

    /**
     * @param dataType DOUBLE for reference checks, FLOAT for training precision
     * @param kernels  whether terms with a {@link TermKernel} use it (as in training) or are differentiated by
     *                 SameDiff from their definition (the reference for the kernel)
     */
    public HeadHarness(DataType dataType, boolean kernels) {
        this.dataType = dataType;
        this.kernels = kernels;
    }

    /**
     * Runs the objective once.
     *
     * @param objective the objective; defined anew on a fresh graph
     * @param features  [N, C, H, W]
     * @param weight    [K, C]
     * @param bias      [K]
     * @param targets   [N, K]
     */
    public Result run(Objective objective, INDArray features, INDArray weight, INDArray bias, INDArray targets) {
        return run(objective, features, weight, bias, targets, null);
    }

    /**
     * Runs the objective with a teacher: {@code labels} is the head's whole label array (targets, then the
     * teacher columns), and the objective must have its teacher bound (e.g. to {@code columns::slice}).
     */
    public Result runWithTeacher(
            Objective objective, INDArray features, INDArray weight, INDArray bias, INDArray labels) {
        return run(objective, features, weight, bias, labels, Boolean.TRUE, null);
    }

    /**
     * As {@link #runWithTeacher(Objective, INDArray, INDArray, INDArray, INDArray)}, for distillers that read the
     * student's stages: {@code stages} are the stages before the last, shallow to deep, each [N, C_s, H_s, W_s];
     * the objective sees them followed by {@code features} in {@code HeadOutputs.stages()}. The result's
     * {@link Result#gradStages()} holds their gradients.
     */
    public Result runWithStages(
            Objective objective,
            INDArray features,
            List<INDArray> stages,
            INDArray weight,
            INDArray bias,
            INDArray labels) {
        return run(objective, features, weight, bias, labels, Boolean.TRUE, stages);
    }

    /**
     * Runs the objective with per-cell targets, as the head does when a regularizer set regional targets (cutmix with
     * {@code cam_target: regional}): the loss terms see them in {@code LossContext.pixelTargets()}, kernels in
     * {@code TermKernel.Input.pixelTargets()}.
     *
     * @param features     [N, C, H, W]
     * @param targets      [N, K], the batch's targets
     * @param pixelTargets [N, H·W, K], the target of every cell of the feature map (row-major)
     */
    public Result runRegional(
            Objective objective,
            INDArray features,
            INDArray weight,
            INDArray bias,
            INDArray targets,
            INDArray pixelTargets) {
        return run(objective, features, weight, bias, targets, null, null, pixelTargets);
    }

    private Result run(
            Objective objective, INDArray features, INDArray weight, INDArray bias, INDArray targets, Boolean teacher) {
        return run(objective, features, weight, bias, targets, teacher, null);
    }

    private Result run(
            Objective objective,
            INDArray features,
            INDArray weight,
            INDArray bias,
            INDArray targets,
            Boolean teacher,
            List<INDArray> stages) {
        return run(objective, features, weight, bias, targets, teacher, stages, null);
    }

    private Result run(
            Objective objective,
            INDArray features,
            INDArray weight,
            INDArray bias,
            INDArray targets,
            Boolean teacher,
            List<INDArray> stages,
            INDArray pixelTargets) {
        SameDiff sd = SameDiff.create();
        long[] fs = features.shape().clone();
        fs[0] = -1;
        SDVariable f = sd.placeHolder("features", dataType, fs);
        SDVariable all = sd.placeHolder("targets", dataType, -1, targets.size(1));
        SDVariable t = teacher == null
                ? all
                : all.get(org.nd4j.autodiff.samediff.SDIndex.all(), org.nd4j.autodiff.samediff.SDIndex.interval(0, (int)
                        weight.size(0)));
        SDVariable w = sd.var("W", weight.castTo(dataType).dup());
        SDVariable b =
                sd.var("b", bias.castTo(dataType).reshape(1, bias.length()).dup());
        int channels = (int) weight.size(1);
        int classes = (int) weight.size(0);
        HeadOutputs out = CamHead.outputs(sd, f, w, b, channels, classes);
        Map<String, INDArray> ph = new java.util.HashMap<>();
        ph.put("features", features.castTo(dataType));
        ph.put("targets", targets.castTo(dataType));
        List<String> stageNames = new java.util.ArrayList<>();
        if (stages != null) {
            List<org.camloss.api.StageMap> vars = new java.util.ArrayList<>();
            for (int i = 0; i < stages.size(); i++) {
                long[] ss = stages.get(i).shape().clone();
                ss[0] = -1;
                String name = "stage_" + i;
                vars.add(new org.camloss.api.StageMap(
                        sd.placeHolder(name, dataType, ss), (int) ss[1], (int) ss[2], (int) ss[3]));
                ph.put(name, stages.get(i).castTo(dataType));
                stageNames.add(name);
            }
            vars.add(new org.camloss.api.StageMap(
                    out.features(), channels, (int) features.size(2), (int) features.size(3)));
            out = new HeadOutputs(out.features(), out.weight(), out.bias(), out.logits(), channels, classes, vars);
        }
        java.util.Optional<LossContext.PixelTargets> cells = java.util.Optional.empty();
        if (pixelTargets != null) {
            int mapH = (int) features.size(2);
            int mapW = (int) features.size(3);
            if (pixelTargets.rank() != 3 || pixelTargets.size(1) != (long) mapH * mapW) {
                throw new IllegalArgumentException("pixel targets must be [N, " + mapH * mapW + ", K] for " + mapH + "x"
                        + mapW + " features, found " + java.util.Arrays.toString(pixelTargets.shape()));
            }
            SDVariable cellsVar =
                    sd.placeHolder("pixel_targets", dataType, -1, (long) mapH * mapW, pixelTargets.size(2));
            ph.put("pixel_targets", pixelTargets.castTo(dataType));
            cells = java.util.Optional.of(new LossContext.PixelTargets(cellsVar, mapH, mapW));
        }
        objective.useKernels(kernels);
        SDVariable total = sd.identity("total", objective.define(new LossContext(sd, out, t, cells), all));
        sd.setLossVariables(total);
        List<String> names = new java.util.ArrayList<>();
        names.add("total");
        names.add("logits");
        for (String term : objective.sameDiffTermNames()) {
            names.add(Objective.TERM_PREFIX + term);
        }
        Map<String, INDArray> values = sd.output(ph, names.toArray(new String[0]));
        Map<String, Double> terms = new LinkedHashMap<>();
        for (String term : objective.sameDiffTermNames()) {
            terms.put(term, values.get(Objective.TERM_PREFIX + term).getDouble(0));
        }
        List<String> wrt = new java.util.ArrayList<>(List.of("features", "W", "b"));
        wrt.addAll(stageNames);
        Map<String, INDArray> grads = new java.util.HashMap<>();
        if (!objective.sameDiffTermNames().isEmpty()) {
            org.camloss.engine.head.CamHeadLayer.quietly(() -> sd.createGradFunction(wrt.toArray(new String[0])));
            grads = sd.calculateGradients(ph, wrt.toArray(new String[0]));
        }
        List<INDArray> gs = new java.util.ArrayList<>();
        for (int i = 0; i < stageNames.size(); i++) {
            INDArray g = grads.get(stageNames.get(i));
            gs.add(g == null ? stages.get(i).castTo(dataType).mul(0) : g.dup());
        }
        INDArray gw = grads.get("W") == null
                ? weight.castTo(dataType).mul(0)
                : grads.get("W").dup();
        INDArray gb = grads.get("b") == null
                ? bias.castTo(dataType).mul(0)
                : grads.get("b").reshape(bias.length()).dup();
        INDArray gf = grads.get("features") == null
                ? features.castTo(dataType).mul(0)
                : grads.get("features").dup();
        double totalValue = values.get("total").getDouble(0);
        INDArray targetValues = targets.castTo(dataType);
        if (teacher != null) {
            targetValues = targetValues
                    .get(
                            org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, classes))
                    .dup();
        }
        for (Map.Entry<String, TermKernel> k : objective.kernels().entrySet()) {
            double weightNow = objective.weightNow(k.getKey());
            TermKernel.Output o = k.getValue()
                    .apply(new TermKernel.Input(
                            features.castTo(dataType),
                            false,
                            weight.castTo(dataType),
                            bias.castTo(dataType),
                            targetValues,
                            true,
                            weightNow,
                            TermKernel.Allocator.detached(),
                            pixelTargets == null ? null : pixelTargets.castTo(dataType)));
            terms.put(k.getKey(), o.value());
            totalValue += weightNow * o.value();
            if (o.featureGrad() != null) {
                gf.addi(o.featureGrad());
            }
            if (o.weightGrad() != null) {
                gw.addi(o.weightGrad());
            }
            if (o.biasGrad() != null) {
                gb.addi(o.biasGrad().reshape(gb.shape()));
            }
        }
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String term : objective.termNames()) {
            ordered.put(term, terms.get(term));
        }
        return new Result(totalValue, ordered, values.get("logits").dup(), gf, gw, gb, gs);
    }

    /**
     * One evaluation.
     *
     * @param total        Σ weight · term
     * @param terms        each term's unweighted value
     * @param logits       [N, K]
     * @param gradFeatures d total / d features
     * @param gradWeight   d total / d W (zeros when no term reaches W)
     * @param gradBias     d total / d b, [K]
     * @param gradStages   d total / d stage, for the stages given to {@link #runWithStages} (else empty)
     */
    public record Result(
            double total,
            Map<String, Double> terms,
            INDArray logits,
            INDArray gradFeatures,
            INDArray gradWeight,
            INDArray gradBias,
            List<INDArray> gradStages) {
        public Result {
            gradStages = List.copyOf(gradStages);
        }
    }
}
