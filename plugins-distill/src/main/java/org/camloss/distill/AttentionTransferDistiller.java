package org.camloss.distill;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.camloss.api.BackboneInfo;
import org.camloss.api.Distiller;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.StageMap;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TeacherSignal;
import org.camloss.api.cam.Bilinear;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation-based attention transfer (Zagoruyko &amp; Komodakis, ICLR 2017), as in the authors' code: one
 * term {@code at} = ½ Σ_j mean_{n,i} (q_S^j[n,i] − q_T^j[n,i])², entering the objective with weight β, where
 * for a stage map A [N, C, H, W] the attention map is Q[n, i] = mean_c |A[n, c, i]|^p over the H·W pixels i
 * and q = Q / (‖Q[n]‖₂ + ε) is normalised per sample. With the reference β = 1000 this is their
 * {@code β/2 · Σ_j at_loss}.
 *
 * <p>Stage j of the student is paired with the teacher's stage at the same distance from the deepest
 * (student stage i ↔ teacher stage i + n_T − n_S). Channel counts may differ (the maps are pooled over
 * channels); when the spatial sizes differ, the teacher's attention map is resized bilinearly to the
 * student's size before normalisation. The teacher's maps are constants: the gradient reaches the student's
 * stages only.
 *
 * @param beta   β, the weight of the term
 * @param p      the power of the channel pooling
 * @param stages student stage indices (0 = shallowest) to match, or empty for every stage the two share
 * @param eps    ε of the normalisation
 */
public record AttentionTransferDistiller(double beta, double p, List<Integer> stages, double eps) implements Distiller {
    /** The term's name. */
    public static final String TERM = "at";

    public AttentionTransferDistiller {
        stages = List.copyOf(stages);
    }

    @Override
    public Set<TeacherSignal> requires() {
        return Set.of(TeacherSignal.STAGES);
    }

    /** The student stage indices matched, for {@code student} and {@code teacher} stage counts. */
    public List<Integer> pairedStudentStages(int student, int teacher) {
        if (!stages.isEmpty()) {
            return stages;
        }
        List<Integer> all = new ArrayList<>();
        for (int i = Math.max(0, student - teacher); i < student; i++) {
            all.add(i);
        }
        return all;
    }

    @Override
    public void check(BackboneInfo student, BackboneInfo teacher) {
        int ns = student.stages().size();
        int nt = teacher.stages().size();
        if (nt == 0) {
            throw new IllegalArgumentException(
                    "the teacher declares no stages; " + AttentionTransferDistillerFactory.ID + " needs them");
        }
        for (int i : pairedStudentStages(ns, nt)) {
            if (i >= ns) {
                throw new IllegalArgumentException("stages: the student has " + ns + " stages (indices 0.." + (ns - 1)
                        + ": " + describe(student) + "), no stage " + i);
            }
            if (i + nt - ns < 0) {
                throw new IllegalArgumentException("stages: student stage " + i
                        + " has no teacher partner (stages pair "
                        + "from the deepest: the student has " + ns + ", the teacher " + nt + "; valid student indices "
                        + (ns - nt) + ".." + (ns - 1) + ")");
            }
        }
    }

    private static String describe(BackboneInfo info) {
        List<String> out = new ArrayList<>();
        for (BackboneInfo.Stage s : info.stages()) {
            out.add(s.vertex() + " (" + s.channels() + " ch, stride " + s.stride() + ")");
        }
        return String.join(", ", out);
    }

    @Override
    public List<LossTerm> define(LossContext student, TeacherOutputs teacher) {
        List<StageMap> s = student.outputs().stages();
        List<StageMap> t = teacher.stages();
        if (s.isEmpty() || t.isEmpty()) {
            throw new IllegalStateException(
                    AttentionTransferDistillerFactory.ID + ": the " + (s.isEmpty() ? "student's" : "teacher's")
                            + " stage maps are missing, although they are required");
        }
        SameDiff sd = student.sameDiff();
        SDVariable total = null;
        for (int i : pairedStudentStages(s.size(), t.size())) {
            int j = i + t.size() - s.size();
            if (i >= s.size() || j < 0) {
                throw new IllegalArgumentException("stages: student stage " + i + " cannot be paired (student has "
                        + s.size() + " stages, teacher " + t.size() + ")");
            }
            StageMap ms = s.get(i);
            StageMap mt = t.get(j);
            SDVariable qs = attention(ms);
            SDVariable qt = attention(mt);
            if (ms.height() != mt.height() || ms.width() != mt.width()) {
                double[][] r = Bilinear.matrix(mt.height(), mt.width(), ms.height(), ms.width());
                qt = sd.mmul(qt, sd.constant(Nd4j.createFromArray(r).castTo(qt.dataType())));
            }
            SDVariable d = normalize(qs).sub(normalize(qt));
            SDVariable pair = d.mul(d).mean().mul(0.5);
            total = total == null ? pair : total.add(pair);
        }
        return List.of(LossTerm.of(TERM, total, beta));
    }

    /** Q = mean_c |A|^p, flattened to [N, H·W]. */
    private SDVariable attention(StageMap stage) {
        SDVariable map = stage.map();
        SameDiff sd = map.getSameDiff();
        SDVariable powered = p == 2.0 ? map.mul(map) : sd.math().pow(sd.math().abs(map), p);
        return powered.mean(1).reshape(-1, (long) stage.height() * stage.width());
    }

    private SDVariable normalize(SDVariable q) {
        SameDiff sd = q.getSameDiff();
        SDVariable norm = sd.math().sqrt(q.mul(q).sum(true, 1)).add(eps);
        return q.div(norm);
    }
}
