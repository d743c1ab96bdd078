package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.camloss.api.LossFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link LossContract} run with the JUnit Platform Launcher against the trial's broken losses: each fails exactly the
 * check meant to catch it, with a message naming the plugin and the problem; a correct loss passes, with the kernel
 * comparison skipped (it has no kernels). The broken losses skip DL4J's gradient check (the slowest check for a loss
 * without kernels: two SameDiff forward passes per parameter), which they pass: their gradients are true gradients of
 * a wrong loss.
 */
class LossContractCatchesBreaksTest {
    private static final String GRADIENT_CHECK = "wholeHeadPassesGradientCheck";

    static final class PlainCrossEntropyContract extends LossContract {
        @Override
        protected LossFactory factory() {
            return new BrokenPlugins.PlainCrossEntropy();
        }
    }

    static final class FlippedSignContract extends LossContract {
        @Override
        protected LossFactory factory() {
            return new BrokenPlugins.FlippedSign();
        }
    }

    static final class UnsafeLogSoftmaxContract extends LossContract {
        @Override
        protected LossFactory factory() {
            return new BrokenPlugins.UnsafeLogSoftmax();
        }
    }

    static final class FocalContract extends LossContract {
        @Override
        protected LossFactory factory() {
            return new BrokenPlugins.Focal();
        }
    }

    static final class FocalHalfGammaContract extends LossContract {
        @Override
        protected LossFactory factory() {
            return new BrokenPlugins.Focal();
        }

        @Override
        protected Map<String, Object> testParams() {
            return Map.of("gamma", 0.5);
        }
    }

    @Test
    void aCorrectLossPassesAndItsMissingKernelsAreASkipNotAPass() {
        ContractRun run = ContractRun.of(PlainCrossEntropyContract.class);
        assertEquals(Set.of(), run.failed(), run.toString());
        assertEquals(
                Set.of("kernelsMatchTheirSameDiffDefinition", "inferenceOnKernelsMatchesSameDiff"),
                run.skipped(),
                run.toString());
        assertEquals(
                "Assumption failed: loss 'plain-ce' has no term with a TermKernel: nothing to compare",
                run.message("kernelsMatchTheirSameDiffDefinition"));
        assertEquals(
                "Assumption failed: loss 'plain-ce' has no term with a TermKernel: its head infers with SameDiff",
                run.message("inferenceOnKernelsMatchesSameDiff"));
        assertTrue(
                run.all()
                        .containsAll(Set.of(
                                "raisingTheTargetLogitLowersTheLoss", "staysFiniteAtLargeLogits", GRADIENT_CHECK)),
                run.toString());
    }

    @Test
    void aFlippedSignFailsRaisingTheTargetLogitLowersTheLoss() {
        ContractRun run = ContractRun.of(FlippedSignContract.class, GRADIENT_CHECK);
        assertEquals(Set.of("raisingTheTargetLogitLowersTheLoss"), run.failed(), run.toString());
        String message = run.message("raisingTheTargetLogitLowersTheLoss");
        assertTrue(
                message.startsWith("loss 'flipped-sign': raising the target class's logit by 1.0 (the bias of class 0, "
                        + "every sample's target) raised term 'ce' from -"),
                message);
        assertTrue(
                message.endsWith("; a loss must not grow when the prediction gets better (is a sign flipped?)"),
                message);
    }

    @Test
    void sdNnLogSoftmaxFailsStaysFiniteAtLargeLogits() {
        ContractRun run = ContractRun.of(UnsafeLogSoftmaxContract.class, GRADIENT_CHECK);
        assertEquals(Set.of("staysFiniteAtLargeLogits"), run.failed(), run.toString());
        assertEquals(
                "loss 'unsafe-log-softmax' at logits of about ±500 (float32): term 'ce' is NaN; compute "
                        + "log-probabilities with org.camloss.api.loss.LossMath.logSoftmax (ND4J 1.0.0-M2.1's sd.nn().logSoftmax "
                        + "is -Infinity there, and a zero target times -Infinity is NaN)",
                run.message("staysFiniteAtLargeLogits"));
    }

    /** The trial's focal loss: fine with γ = 2, a NaN gradient at a saturated softmax with γ = 0.5. */
    @Test
    void aSaturatedSoftmaxWithANanGradientFailsStaysFiniteAtLargeLogits() {
        ContractRun good = ContractRun.of(FocalContract.class, GRADIENT_CHECK);
        assertEquals(Set.of(), good.failed(), good.toString());
        ContractRun run = ContractRun.of(FocalHalfGammaContract.class, GRADIENT_CHECK);
        assertEquals(Set.of("staysFiniteAtLargeLogits"), run.failed(), run.toString());
        assertEquals(
                "loss 'focal' at logits of about ±500 (float32): d total / d features has NaN or infinite entries; "
                        + "a derivative is infinite where the softmax saturates (p = 0 or 1), e.g. of (1 - p)^gamma with gamma < 1 "
                        + "or of log p: clip p, or use LossMath.logSoftmax",
                run.message("staysFiniteAtLargeLogits"));
    }
}
