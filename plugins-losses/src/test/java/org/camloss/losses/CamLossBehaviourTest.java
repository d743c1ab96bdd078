package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.camloss.api.Choice;
import org.camloss.api.Params;
import org.camloss.api.cam.Routing;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.testkit.HeadHarness;
import org.camloss.testkit.TinyNets;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** What CAM-loss must do beyond the generic loss contract. */
class CamLossBehaviourTest {
    private static Objective camLoss(Map<String, Object> params) {
        CamLossFactory f = new CamLossFactory();
        return Objective.of(f.create(Params.resolve(f.params(), params)));
    }

    private static INDArray firstLayerGradient(double alpha, String routing) {
        CamModel model =
                TinyNets.model(camLoss(Map.of("alpha", alpha, "routing", routing)), DataType.FLOAT, new NoOp(), 7);
        model.graph().setInputs(TinyNets.images(4, DataType.FLOAT, 9));
        model.graph().setLabels(TinyNets.oneHot(4, DataType.FLOAT));
        model.graph().computeGradientAndScore();
        return model.graph().gradient().getGradientFor("conv_W").dup();
    }

    @Test
    void camTermChangesTheGradientOfTheFirstBackboneLayer() {
        for (String routing : Choice.ids(Routing.class)) {
            INDArray without = firstLayerGradient(0.0, routing);
            INDArray with = firstLayerGradient(1.0, routing);
            double diff = with.sub(without).norm2Number().doubleValue();
            assertTrue(
                    diff > 1e-4 * without.norm2Number().doubleValue(),
                    routing + ": the CAM term does not reach the first layer (difference " + diff + ")");
        }
    }

    @Test
    void flatMapsGiveZerosNotNaN() {
        INDArray features = Nd4j.ones(DataType.DOUBLE, 2, 4, 3, 3).muli(0.5);
        INDArray weight = Nd4j.rand(DataType.DOUBLE, 3, 4);
        INDArray bias = Nd4j.zeros(DataType.DOUBLE, 3);
        INDArray targets = TinyNets.oneHot(2, DataType.DOUBLE);
        for (String routing : Choice.ids(Routing.class)) {
            HeadHarness.Result r = new HeadHarness(DataType.DOUBLE)
                    .run(camLoss(Map.of("routing", routing)), features, weight, bias, targets);
            assertEquals(0.0, r.terms().get("cam"), 0.0, routing + ": CAM term of flat maps");
            assertFalse(r.gradFeatures().isNaN().any(), routing + ": NaN in the feature gradient");
            assertFalse(r.gradWeight().isNaN().any(), routing + ": NaN in the weight gradient");
        }
    }

    @Test
    void scoreFromTheGradientPassEqualsAFreshForwardPass() {
        CamModel model = TinyNets.model(camLoss(Map.of("alpha", 1.5)), DataType.FLOAT, new NoOp(), 4);
        INDArray x = TinyNets.images(5, DataType.FLOAT, 2);
        INDArray y = TinyNets.oneHot(5, DataType.FLOAT);
        model.graph().setInputs(x);
        model.graph().setLabels(y);
        model.graph().computeGradientAndScore();
        double fromGradientPass = model.graph().score();
        Map<String, Double> terms = model.headLayer().lastTerms();
        double fresh = model.graph()
                .score(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, new INDArray[] {y}), true);
        assertEquals(fresh, fromGradientPass, 1e-5);
        assertEquals(terms, model.headLayer().lastTerms());
        assertEquals(terms.get("ce") + 1.5 * terms.get("cam"), fromGradientPass, 1e-5);
    }

    @Test
    void warmupKeepsAlphaAtZeroThenRamps() {
        CamModel model = TinyNets.model(
                camLoss(Map.of("alpha", 2.0, "warmup_epochs", 1, "ramp_epochs", 2)), DataType.FLOAT, new NoOp(), 3);
        model.graph().setInputs(TinyNets.images(4, DataType.FLOAT, 1));
        model.graph().setLabels(TinyNets.oneHot(4, DataType.FLOAT));
        double[] expectedAlpha = {0.0, 1.0, 2.0, 2.0};
        for (int epoch = 0; epoch < expectedAlpha.length; epoch++) {
            model.objective().setEpoch(epoch);
            model.graph().computeGradientAndScore();
            Map<String, Double> terms = model.headLayer().lastTerms();
            double expected = terms.get("ce") + expectedAlpha[epoch] * terms.get("cam");
            assertEquals(expected, model.graph().score(), 1e-5, "score at epoch " + epoch);
            assertEquals(
                    expectedAlpha[epoch], model.objective().currentWeights().get("cam"), 0.0);
        }
        assertNotEquals(0.0, model.headLayer().lastTerms().get("cam"));
    }
}
