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
        return run(objective, features, weight, bias, labels, Boolean.TRUE);
    }

    private Result run(Objective objective, INDArray features, INDArray weight, INDArray bias, INDArray targets,
                       Boolean teacher) {
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
        SDVariable total = sd.identity("total", objective.define(new LossContext(sd, out, t), all));
        sd.setLossVariables(total);
        Map<String, INDArray> ph = Map.of("features", features.castTo(dataType), "targets", targets.castTo(dataType));
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
        org.camloss.api.model.CamHeadLayer.quietly(() -> sd.createGradFunction("features"));
        Map<String, INDArray> grads = sd.calculateGradients(ph, "features", "W", "b");
        INDArray gw = grads.get("W");
        INDArray gb = grads.get("b");
        return new Result(values.get("total").getDouble(0), terms, values.get("logits").dup(),
                grads.get("features").dup(),
                gw == null ? weight.castTo(dataType).mul(0) : gw.dup(),
                gb == null ? bias.castTo(dataType).mul(0) : gb.reshape(bias.length()).dup());
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
     */
    public record Result(double total, Map<String, Double> terms, INDArray logits, INDArray gradFeatures,
                         INDArray gradWeight, INDArray gradBias) {
    }
}
