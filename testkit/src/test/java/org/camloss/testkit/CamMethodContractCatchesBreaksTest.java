package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.camloss.api.cam.CamMethodFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link CamMethodContract} run with the JUnit Platform Launcher against broken CAM methods: each fails the check meant
 * to catch it, with a message naming the method and the problem; a correct Grad-CAM and a correct (class-agnostic)
 * CAAM pass.
 */
class CamMethodContractCatchesBreaksTest {
    static final class GradCamContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.GradCam();
        }
    }

    static final class CaamContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.Caam();
        }

        @Override
        protected boolean classDiscriminative() {
            return false;
        }
    }

    /** The CAAM claiming to follow the target. */
    static final class CaamClaimingDiscriminationContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.Caam();
        }
    }

    static final class UndeclaredContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.Undeclared();
        }
    }

    static final class BatchNormalisedContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.BatchNormalised();
        }
    }

    static final class FlippedSignContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.FlippedSign();
        }
    }

    static final class IgnoresTargetContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.IgnoresTarget();
        }
    }

    static final class AssumesHeadContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.AssumesHead();
        }
    }

    static final class UpsampledContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.Upsampled();
        }
    }

    static final class UnguardedContract extends CamMethodContract {
        @Override
        protected CamMethodFactory factory() {
            return new BrokenCamMethods.UnguardedNormalisation();
        }
    }

    static final class StatefulContract extends CamMethodContract {
        private final CamMethodFactory shared = new BrokenCamMethods.Stateful();

        @Override
        protected CamMethodFactory factory() {
            return shared;
        }
    }

    @Test
    void correctMethodsPass() {
        ContractRun run = ContractRun.of(GradCamContract.class);
        assertEquals(Set.of(), run.failed(), run.toString());
        assertEquals(Set.of("refusesALayerWithoutTheLinearHeadItNeeds"), run.skipped(), run.toString());
        ContractRun caam = ContractRun.of(CaamContract.class);
        assertEquals(Set.of(), caam.failed(), caam.toString());
    }

    @Test
    void anUndeclaredInputFailsReadsOnlyWhatItDeclares() {
        ContractRun run = ContractRun.of(UndeclaredContract.class);
        assertTrue(run.failed().contains("readsOnlyWhatItDeclares"), run.toString());
        assertEquals(
                "cam-method 'undeclared-gradients' read GRADIENTS without declaring it in requires() (declared: [])",
                run.message("readsOnlyWhatItDeclares"));
    }

    @Test
    void batchWideNormalisationFailsExplainsEachImageOnItsOwn() {
        ContractRun run = ContractRun.of(BatchNormalisedContract.class);
        assertEquals(Set.of("explainsEachImageOnItsOwn"), run.failed(), run.toString());
        assertEquals(
                "cam-method 'batch-normalised' at layer 'conv2': the map of image 0 differs when the image is explained "
                        + "alone (maps must not depend on the rest of the batch)",
                run.message("explainsEachImageOnItsOwn"));
    }

    @Test
    void aFlippedSignFailsMapsPointAtTheTargetsEvidence() {
        ContractRun run = ContractRun.of(FlippedSignContract.class);
        assertEquals(Set.of("mapsPointAtTheTargetsEvidence"), run.failed(), run.toString());
        assertTrue(
                run.message("mapsPointAtTheTargetsEvidence")
                        .startsWith("cam-method 'flipped-sign': for target 0, whose evidence (channel 0) is at the top "
                                + "left, the map peaks at (row "),
                run.message("mapsPointAtTheTargetsEvidence"));
    }

    @Test
    void anIgnoredTargetFailsMapsPointAtTheTargetsEvidence() {
        ContractRun run = ContractRun.of(IgnoresTargetContract.class);
        assertEquals(Set.of("mapsPointAtTheTargetsEvidence"), run.failed(), run.toString());
        assertTrue(
                run.message("mapsPointAtTheTargetsEvidence")
                        .startsWith("cam-method 'ignores-target': for target 1, whose evidence (channel 1) is at the "
                                + "bottom right, the map peaks at (row 1, column 1)"),
                run.message("mapsPointAtTheTargetsEvidence"));
    }

    @Test
    void aClassAgnosticMapClaimingDiscriminationFails() {
        ContractRun run = ContractRun.of(CaamClaimingDiscriminationContract.class);
        assertEquals(Set.of("mapsPointAtTheTargetsEvidence"), run.failed(), run.toString());
    }

    @Test
    void assumingTheHeadFailsRefusesALayerWithoutTheLinearHeadItNeeds() {
        ContractRun run = ContractRun.of(AssumesHeadContract.class);
        assertEquals(Set.of("refusesALayerWithoutTheLinearHeadItNeeds"), run.failed(), run.toString());
        assertEquals(
                "cam-method 'assumes-head' must refuse a layer without a linear head with an IllegalArgumentException, "
                        + "threw java.util.NoSuchElementException: No value present",
                run.message("refusesALayerWithoutTheLinearHeadItNeeds"));
    }

    @Test
    void upsampledMapsFailMapsHaveTheLayersShape() {
        ContractRun run = ContractRun.of(UpsampledContract.class);
        assertTrue(run.failed().contains("mapsHaveTheLayersShapeAndAreFinite"), run.toString());
        assertTrue(
                run.message("mapsHaveTheLayersShapeAndAreFinite")
                        .contains("returned maps of shape [4, 6, 6], expected [4, 3, 3]"),
                run.message("mapsHaveTheLayersShapeAndAreFinite"));
    }

    @Test
    void anUnguardedNormalisationFailsFlatInputGivesFiniteMaps() {
        ContractRun run = ContractRun.of(UnguardedContract.class);
        assertEquals(Set.of("flatInputGivesFiniteMaps"), run.failed(), run.toString());
        assertEquals(
                "cam-method 'unguarded-normalisation' on an all-zero image holds a non-finite value (NaN)",
                run.message("flatInputGivesFiniteMaps"));
    }

    @Test
    void aStatefulMethodFailsExplainsEachImageOnItsOwn() {
        ContractRun run = ContractRun.of(StatefulContract.class);
        assertTrue(run.failed().contains("explainsEachImageOnItsOwn"), run.toString());
    }
}
