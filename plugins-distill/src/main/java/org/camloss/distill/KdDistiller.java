package org.camloss.distill;

import java.util.List;
import java.util.Set;
import org.camloss.api.Distiller;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TeacherSignal;
import org.camloss.api.loss.LossMath;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Logit distillation (Hinton, Vinyals and Dean, 2015): one term {@code kd} = T² · KL(p_T ‖ p_S), the batch
 * mean of the per-sample KL divergence Σ_k p_T,k (log p_T,k − log p_S,k) with p = softmax(z / T), entering
 * the objective with weight γ.
 *
 * <p>The T² factor keeps the gradient with respect to the student's logits, γ · T / N · (p_S − p_T),
 * roughly independent of T for large T, so changing T does not rescale the term against cross-entropy.
 * Both distributions are computed with a max-shifted log-softmax, so large logits or small T neither
 * overflow nor give {@code 0 · log 0}. The teacher logits ({@link TeacherSignal#LOGITS}) are constants;
 * the gradient reaches the student's features, classifier weights and bias.
 *
 * @param temperature T, positive
 * @param weight      γ, the weight of the term
 */
public record KdDistiller(double temperature, double weight) implements Distiller {
    /** The term's name. */
    public static final String TERM = "kd";

    public KdDistiller {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    KdDistillerFactory.ID + ": temperature must be positive and finite, found " + temperature);
        }
    }

    @Override
    public Set<TeacherSignal> requires() {
        return Set.of(TeacherSignal.LOGITS);
    }

    @Override
    public List<LossTerm> define(LossContext student, TeacherOutputs teacher) {
        SDVariable teacherLogits = teacher.logits()
                .orElseThrow(() -> new IllegalStateException(
                        KdDistillerFactory.ID + ": the teacher's outputs carry no logits, although they are required"));
        SDVariable logStudent = LossMath.logSoftmax(student.outputs().logits().div(temperature));
        SDVariable logTeacher = LossMath.logSoftmax(teacherLogits.div(temperature));
        SDVariable pTeacher = logTeacher.getSameDiff().math().exp(logTeacher);
        SDVariable kl = pTeacher.mul(logTeacher.sub(logStudent)).sum(1).mean();
        return List.of(LossTerm.of(TERM, kl.mul(temperature * temperature), weight));
    }
}
