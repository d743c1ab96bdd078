package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.camloss.api.RegularizerFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link RegularizerContract} run with the JUnit Platform Launcher against the trial's broken Cutout and the broken
 * regional mix, target declaration and stochastic depth: each break fails exactly the check meant to catch it; a
 * correct Cutout passes with the penalty, per-pixel and network checks skipped, a penalty-only regularizer passes with
 * the batch checks skipped, and a correct network regularizer with the batch and penalty checks skipped.
 */
class RegularizerContractCatchesBreaksTest {
    private static final Set<String> BATCH_CHECKS = Set.of(
            "batchKeepsShapesAndTargetsStayDistributions",
            "sameSeedSameBatch",
            "transformChangesSomeBatch",
            "transformReachesEveryRowAndColumn",
            "targetsChangeAsDeclared",
            "regionalTargetsAverageToTheTargets");

    /** The checks of a batch transform without per-pixel targets, penalty terms or a network request: skipped. */
    private static final Set<String> TRANSFORM_SKIPS =
            Set.of("penaltyTermsAreFinite", "regionalTargetsAverageToTheTargets", "networkRequestChangesTrainingOnly");

    static final class RegionalMixContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.RegionalMix();
        }
    }

    static final class RegionalMixSwappedSharesContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.RegionalMixSwappedShares();
        }
    }

    static final class SmoothingDeclaredKeepsContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.SmoothingDeclaredKeeps();
        }
    }

    static final class StochasticDepthContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.StochasticDepth();
        }

        @Override
        protected java.util.Map<String, Object> testParams() {
            return java.util.Map.of("p_last", 0.5);
        }
    }

    static final class StochasticDepthThatNeverDropsContract extends RegularizerContract {
        @Override
        protected RegularizerFactory factory() {
            return new BrokenPlugins.StochasticDepth();
        }
    }

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
        assertEquals(TRANSFORM_SKIPS, run.skipped(), run.toString());
        assertEquals(
                "Assumption failed: regularizer 'cutout' defines no penalty terms",
                run.message("penaltyTermsAreFinite"));
    }

    @Test
    void aPenaltyOnlyRegularizerPassesAndItsBatchChecksAreSkipped() {
        ContractRun run = ContractRun.of(ConfidencePenaltyContract.class);
        assertEquals(Set.of(), run.failed(), run.toString());
        java.util.Set<String> skipped = new java.util.HashSet<>(BATCH_CHECKS);
        skipped.add("networkRequestChangesTrainingOnly");
        assertEquals(skipped, run.skipped(), run.toString());
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
                Set.of(
                        "transformReachesEveryRowAndColumn",
                        "penaltyTermsAreFinite",
                        "regionalTargetsAverageToTheTargets",
                        "networkRequestChangesTrainingOnly"),
                run.skipped(),
                run.toString());
    }

    @Test
    void aCorrectRegionalMixPasses() {
        ContractRun run = ContractRun.of(RegionalMixContract.class);
        assertEquals(Set.of(), run.failed(), run.toString());
        assertEquals(
                Set.of("penaltyTermsAreFinite", "networkRequestChangesTrainingOnly"), run.skipped(), run.toString());
    }

    @Test
    void perPixelTargetsThatDoNotAverageToTheTargetsFailRegionalTargetsAverageToTheTargets() {
        ContractRun run = ContractRun.of(RegionalMixSwappedSharesContract.class);
        assertEquals(Set.of("regionalTargetsAverageToTheTargets"), run.failed(), run.toString());
        assertEquals(
                "regularizer 'regional-mix-swapped': the image average of the per-pixel targets differs from the "
                        + "batch's targets by 0.5 (trial 0); each source's share of the image must be its weight in the "
                        + "target",
                run.message("regionalTargetsAverageToTheTargets"));
    }

    @Test
    void changingTargetsDeclaredKeptFailsTargetsChangeAsDeclared() {
        ContractRun run = ContractRun.of(SmoothingDeclaredKeepsContract.class);
        assertEquals(Set.of("targetsChangeAsDeclared"), run.failed(), run.toString());
        assertEquals(
                "regularizer 'smoothing-declared-keeps' declares targetEffect() KEEPS but changed the targets of a "
                        + "batch; declare CHANGES (the runtime refuses to let a regularizer that changes targets follow "
                        + "one that set per-pixel targets)",
                run.message("targetsChangeAsDeclared"));
    }

    @Test
    void aNetworkRegularizerPassesAndItsBatchChecksAreSkipped() {
        ContractRun run = ContractRun.of(StochasticDepthContract.class);
        assertEquals(Set.of(), run.failed(), run.toString());
        java.util.Set<String> skipped = new java.util.HashSet<>(BATCH_CHECKS);
        skipped.add("penaltyTermsAreFinite");
        assertEquals(skipped, run.skipped(), run.toString());
    }

    @Test
    void aNetworkRequestThatChangesNothingFailsNetworkRequestChangesTrainingOnly() {
        ContractRun run = ContractRun.of(StochasticDepthThatNeverDropsContract.class);
        assertEquals(Set.of("networkRequestChangesTrainingOnly"), run.failed(), run.toString());
        assertEquals(
                "regularizer 'stochastic-depth' asks the network for NetworkRegularization[featureDropout=0.0, "
                        + "blockDropout=0.0, residual=ResidualDrop[mode=STOCHASTIC_DEPTH, pLast=1.0, alphaMin=0.0, "
                        + "alphaMax=0.0, betaMin=0.0, betaMax=0.0]], but the training forward pass of a residual net was "
                        + "the same at 8 steps: the request changes nothing (a probability of 0?)",
                run.message("networkRequestChangesTrainingOnly"));
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
