package org.camloss.testkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.HeadOutputs;
import org.camloss.api.LossContext;
import org.camloss.api.model.CamHead;
import org.camloss.api.model.Objective;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Evaluates an {@link Objective} on given arrays exactly as the {@link CamHead} defines it (GAP, linear
 * layer, terms), returning every term and the gradients of the total. For reference-value tests of
 * losses, regularizer penalties and distillers.
 */
public final class HeadHarness {
    private final DataType dataType;

    /** @param dataType DOUBLE for reference checks, FLOAT for training precision */
    public HeadHarness(DataType dataType) {
        this.dataType = dataType;
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
    public Result runWithTeacher(Objective objective, INDArray features, INDArray weight, INDArray bias,
                                 INDArray labels) {
        return run(objective, features, weight, bias, labels, Boolean.TRUE, null);
    }

    /**
     * As {@link #runWithTeacher(Objective, INDArray, INDArray, INDArray, INDArray)}, for distillers that read the
     * student's stages: {@code stages} are the stages before the last, shallow to deep, each [N, C_s, H_s, W_s];
     * the objective sees them followed by {@code features} in {@code HeadOutputs.stages()}. The result's
     * {@link Result#gradStages()} holds their gradients.
     */
    public Result runWithStages(Objective objective, INDArray features, List<INDArray> stages, INDArray weight,
                                INDArray bias, INDArray labels) {
        return run(objective, features, weight, bias, labels, Boolean.TRUE, stages);
    }

    private Result run(Objective objective, INDArray features, INDArray weight, INDArray bias, INDArray targets,
                       Boolean teacher) {
        return run(objective, features, weight, bias, targets, teacher, null);
    }

    private Result run(Objective objective, INDArray features, INDArray weight, INDArray bias, INDArray targets,
                       Boolean teacher, List<INDArray> stages) {
        SameDiff sd = SameDiff.create();
        long[] fs = features.shape().clone();
        fs[0] = -1;
        SDVariable f = sd.placeHolder("features", dataType, fs);
        SDVariable all = sd.placeHolder("targets", dataType, -1, targets.size(1));
        SDVariable t = teacher == null ? all
                : all.get(org.nd4j.autodiff.samediff.SDIndex.all(),
                org.nd4j.autodiff.samediff.SDIndex.interval(0, (int) weight.size(0)));
        SDVariable w = sd.var("W", weight.castTo(dataType).dup());
        SDVariable b = sd.var("b", bias.castTo(dataType).reshape(1, bias.length()).dup());
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
                vars.add(new org.camloss.api.StageMap(sd.placeHolder(name, dataType, ss), (int) ss[1], (int) ss[2],
                        (int) ss[3]));
                ph.put(name, stages.get(i).castTo(dataType));
                stageNames.add(name);
            }
            vars.add(new org.camloss.api.StageMap(out.features(), channels, (int) features.size(2),
                    (int) features.size(3)));
            out = new HeadOutputs(out.features(), out.weight(), out.bias(), out.logits(), channels, classes, vars);
        }
        SDVariable total = sd.identity("total", objective.define(new LossContext(sd, out, t), all));
        sd.setLossVariables(total);
        List<String> names = new java.util.ArrayList<>();
        names.add("total");
        names.add("logits");
        for (String term : objective.termNames()) {
            names.add(Objective.TERM_PREFIX + term);
        }
        Map<String, INDArray> values = sd.output(ph, names.toArray(new String[0]));
        Map<String, Double> terms = new LinkedHashMap<>();
        for (String term : objective.termNames()) {
            terms.put(term, values.get(Objective.TERM_PREFIX + term).getDouble(0));
        }
        List<String> wrt = new java.util.ArrayList<>(List.of("features", "W", "b"));
        wrt.addAll(stageNames);
        org.camloss.api.model.CamHeadLayer.quietly(() -> sd.createGradFunction(wrt.toArray(new String[0])));
        Map<String, INDArray> grads = sd.calculateGradients(ph, wrt.toArray(new String[0]));
        INDArray gw = grads.get("W");
        INDArray gb = grads.get("b");
        List<INDArray> gs = new java.util.ArrayList<>();
        for (int i = 0; i < stageNames.size(); i++) {
            INDArray g = grads.get(stageNames.get(i));
            gs.add(g == null ? stages.get(i).castTo(dataType).mul(0) : g.dup());
        }
        return new Result(values.get("total").getDouble(0), terms, values.get("logits").dup(),
                grads.get("features") == null ? features.castTo(dataType).mul(0) : grads.get("features").dup(),
                gw == null ? weight.castTo(dataType).mul(0) : gw.dup(),
                gb == null ? bias.castTo(dataType).mul(0) : gb.reshape(bias.length()).dup(), gs);
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
    public record Result(double total, Map<String, Double> terms, INDArray logits, INDArray gradFeatures,
                         INDArray gradWeight, INDArray gradBias, List<INDArray> gradStages) {
        public Result {
            gradStages = List.copyOf(gradStages);
        }
    }
}
