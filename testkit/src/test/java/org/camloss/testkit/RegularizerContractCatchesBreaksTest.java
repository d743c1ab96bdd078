package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.camloss.api.RegularizerFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link RegularizerContract} run with the JUnit Platform Launcher against the trial's broken Cutout: each break
 * fails exactly the check meant to catch it; a correct Cutout passes with the penalty check skipped, and a
 * penalty-only regularizer passes with the batch checks skipped.
 */
class RegularizerContractCatchesBreaksTest {
    private static final Set<String> BATCH_CHECKS = Set.of(
            "batchKeepsShapesAndTargetsStayDistributions",
            "sameSeedSameBatch",
            "transformChangesSomeBatch",
            "transformReachesEveryRowAndColumn");

    static final class CutoutContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.Cutout();
        }
    }

    static final class CutoutInvertedProbabilityContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.CutoutInvertedProbability();
        }
    }

    static final class CutoutSwappedAxesContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.CutoutSwappedAxes();
        }
    }

    static final class ConfidencePenaltyContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.ConfidencePenalty();
        }
    }

    @Test
    void aCorrectCutoutPassesAndItsMissingPenaltyIsASkipNotAPass() {
        ContractRun run = ContractRun.of(CutoutContract.class);
        assertEquals(Set.of(), run.failed(), run.toString());
        assertEquals(Set.of("penaltyTermsAreFinite"), run.skipped(), run.toString());
        assertEquals(
                "Assumption failed: regularizer 'cutout' defines no penalty terms",
                run.message("penaltyTermsAreFinite"));
    }

    @Test
    void aPenaltyOnlyRegularizerPassesAndItsBatchChecksAreSkipped() {
        ContractRun run = ContractRun.of(ConfidencePenaltyContract.class);
        assertEquals(Set.of(), run.failed(), run.toString());
        assertEquals(BATCH_CHECKS, run.skipped(), run.toString());
        assertEquals(
                "Assumption failed: regularizer 'confidence' does not transform batches (it does not override apply)",
                run.message("sameSeedSameBatch"));
    }

    @Test
    void anInvertedProbabilityTestFailsTransformChangesSomeBatch() {
        ContractRun run = ContractRun.of(CutoutInvertedProbabilityContract.class);
        assertEquals(Set.of("transformChangesSomeBatch"), run.failed(), run.toString());
        assertEquals(
                "regularizer 'cutout-inverted-p' left all 64 batches unchanged (seeds 0-63, params {size=8, p=1.0}); "
                        + "a batch transform must change some batch at its test parameters (is a probability test inverted?), "
                        + "or declare mayLeaveBatchesUnchanged()",
                run.message("transformChangesSomeBatch"));
        assertEquals(
                Set.of("transformReachesEveryRowAndColumn", "penaltyTermsAreFinite"), run.skipped(), run.toString());
    }

    @Test
    void swappedHeightAndWidthFailTransformReachesEveryRowAndColumn() {
        ContractRun run = ContractRun.of(CutoutSwappedAxesContract.class);
        assertEquals(Set.of("transformReachesEveryRowAndColumn"), run.failed(), run.toString());
        assertEquals(
                "regularizer 'cutout-swapped-axes' never changed columns 19-47 of a 16x48x3 batch in 64 trials; "
                        + "features are NHWC [N, H, W, C]: are H and W read from the right axes (H = size(1), W = size(2))?",
                run.message("transformReachesEveryRowAndColumn"));
    }
}
