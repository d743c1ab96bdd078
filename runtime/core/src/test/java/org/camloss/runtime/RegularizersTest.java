package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.camloss.runtime.config.ConfigException;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.run.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regularizers end to end: a tiny run with every one of them (cutmix with regional CAM targets, cutout, random
 * erasing, dropout, stochastic depth, ShakeDrop on a residual net), reproducible from its seed; and every refusal that
 * comes before anything is built, with its exact message.
 */
class RegularizersTest {
    private static final Camloss CAMLOSS = Camloss.builder().build();

    private static ExperimentConfig config(String... sets) {
        List<String> all = new java.util.ArrayList<>(List.of("train.epochs=1"));
        all.addAll(List.of(sets));
        return CAMLOSS.config(CamlossTest.TINY, all);
    }

    private static String refusal(String... sets) {
        ExperimentConfig c = config(sets);
        ConfigException e = assertThrows(
                ConfigException.class, () -> org.camloss.runtime.wiring.ExperimentParts.make(CAMLOSS.registry(), c));
        return e.getMessage();
    }

    @Test
    void trainsWithEveryRegularizerReproducibly(@TempDir Path tmp) throws Exception {
        String[] sets = {
            "regularizers.0.id=cutout",
            "regularizers.0.params.size=4",
            "regularizers.1.id=random-erasing",
            "regularizers.2.id=dropout",
            "regularizers.3.id=shakedrop",
            "regularizers.4.id=cutmix",
            "regularizers.4.params.probability=1.0",
            "regularizers.4.params.cam_target=regional"
        };
        Camloss.TrainResult a = CAMLOSS.train(config(sets), tmp.resolve("a"));
        Camloss.TrainResult b = CAMLOSS.train(config(sets), tmp.resolve("b"));
        Object lossA = a.summary().last().get("train_loss");
        assertTrue(Double.isFinite(((Number) lossA).doubleValue()), "train loss " + lossA);
        assertEquals(lossA, b.summary().last().get("train_loss"), "the same seed gives the same run");
        assertEquals(a.summary().last().get("test_accuracy"), b.summary().last().get("test_accuracy"));
        Map<String, Object> runJson = Json.read(a.runDir().resolve("run.json"));
        assertTrue(runJson.toString().contains("cam_target=regional"), runJson.toString());
        assertTrue(Files.exists(a.runDir().resolve("model.zip")));
        Camloss.EvalReport report = CAMLOSS.evaluate(a.runDir());
        assertEquals(a.summary().last().get("test_accuracy"), report.result().accuracy());
        Camloss.TrainResult sd = CAMLOSS.train(
                config("regularizers.0.id=stochastic-depth", "regularizers.1.id=mixup"), tmp.resolve("sd"));
        assertFalse(sd.summary().last().isEmpty());
    }

    @Test
    void stochasticDepthOnABackboneWithoutResidualBranchesIsRefused() {
        assertEquals(
                "config: regularizers.0.id: 'stochastic-depth' drops residual branches, but backbone 'vgg' does not "
                        + "apply stochastic depth (it applies none); backbones that do: [pyramidnet, resnet, "
                        + "resnet-cifar, resnext, wide-resnet]",
                // vgg at stride 16 on 32x32 images: a 2x2 map, so the regularizer check is the one that refuses
                refusal(
                        "backbone.id=vgg",
                        "backbone.params.depth=11",
                        "backbone.params.last_pool=false",
                        "data.params.size=32",
                        "regularizers.0.id=stochastic-depth"));
    }

    @Test
    void shakeDropOnAFamilyWithoutResidualBranchesIsRefused() {
        assertEquals(
                "config: regularizers.0.id: 'shakedrop' perturbs residual branches, but backbone 'densenet-bc' does "
                        + "not apply ShakeDrop (it applies none); backbones that do: [pyramidnet, resnet, resnet-cifar, "
                        + "resnext, wide-resnet]",
                refusal("backbone.id=densenet-bc", "backbone.params.depth=10", "regularizers.0.id=shakedrop"));
    }

    @Test
    void blockDropoutWhereTheFamilyHasNoneIsRefused() {
        assertEquals(
                "config: regularizers.0.params.block_p: 'dropout' drops units inside residual blocks, but backbone "
                        + "'resnet-cifar' does not apply block dropout (it applies ShakeDrop, stochastic depth); "
                        + "backbones that do: [wide-resnet]",
                refusal("regularizers.0.id=dropout", "regularizers.0.params.block_p=0.3"));
    }

    @Test
    void twoTreatmentsOfTheResidualBranchesAreRefused() {
        assertEquals(
                "config: regularizers.1.id: 'shakedrop' acts on the residual branches, as 'stochastic-depth' "
                        + "(regularizers.0) already does; keep one of them",
                refusal("regularizers.0.id=stochastic-depth", "regularizers.1.id=shakedrop"));
    }

    @Test
    void aTargetChangeAfterRegionalTargetsIsRefused() {
        assertEquals(
                "config: regularizers.1.id: 'mixup' changes the targets after 'cutmix' (regularizers.0) set per-pixel "
                        + "CAM targets (cam_target: regional), which would then be stale; list 'mixup' before 'cutmix', "
                        + "or set regularizers.0.params.cam_target: mixed",
                refusal(
                        "regularizers.0.id=cutmix",
                        "regularizers.0.params.cam_target=regional",
                        "regularizers.1.id=mixup"));
        // before it, or a transform that keeps the targets after it, is fine
        org.camloss.runtime.wiring.ExperimentParts.make(
                CAMLOSS.registry(),
                config(
                        "regularizers.0.id=label-smoothing",
                        "regularizers.1.id=cutmix",
                        "regularizers.1.params.cam_target=regional",
                        "regularizers.2.id=cutout",
                        "regularizers.2.params.size=4"));
    }

    @Test
    void aCutoutPatchLargerThanTheImageIsRefused() {
        assertEquals(
                "config: regularizers.0.params.size: the patch must fit the 16x16 images (at most 16), found 17",
                refusal("regularizers.0.id=cutout", "regularizers.0.params.size=17"));
    }

    @Test
    void probabilitiesOutsideTheUnitIntervalAndNonPositiveAlphaAreRefused() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> config(
                        "regularizers.0.id=cutmix",
                        "regularizers.0.params.probability=1.5",
                        "regularizers.0.params.alpha=0",
                        "regularizers.1.id=dropout",
                        "regularizers.1.params.p=1"));
        assertEquals(
                "--set: regularizers.0.params.alpha: must be in (0, 100], found 0\n"
                        + "--set: regularizers.0.params.probability: must be in [0, 1], found 1.5\n"
                        + "--set: regularizers.1.params.p: must be in [0, 1), found 1",
                e.getMessage());
    }
}
