package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * {@link CamModel#forward(INDArray, boolean, boolean)} runs its inference passes folded ({@link FoldedInference}) and
 * its training passes unfused, and hands back the same features, logits and stage maps either way. The backbone is
 * two convolution → batch norm (+ ReLU) pairs, {@code c1 → b1 → c2 → b2}, with {@code b1} declared as a stage and
 * {@code b2} the feature map; the batch norms' parameters and statistics are random, away from their initial values,
 * so that an unfolded or wrongly folded pass shows. The reference is the same model with
 * {@value FastConvolutionLayer#FORWARD_PROPERTY}{@code =dl4j}, which keeps every layer unfused.
 */
class CamModelFoldedForwardTest {
    private static final InputShape SHAPE = new InputShape(3, 8, 8);
    /** Relative to the largest value: float rounding of a folded sum of 8·9 products is ~1e-6. */
    private static final double TOLERANCE = 1e-5;

    @AfterEach
    void clearProperty() {
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);
    }

    private static Backbone twoPairs() {
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(8, 1, List.of(new BackboneInfo.Stage("b1", 8, 1)));
            }

            @Override
            public String build(BackboneContext ctx) {
                Layers layers = new Layers(ctx);
                String c1 = layers.conv("c1", ctx.input(), 3, 8, 3, 1);
                String b1 = layers.bn("b1", c1, 8, true);
                String c2 = layers.conv("c2", b1, 8, 8, 3, 1);
                return layers.bn("b2", c2, 8, true);
            }
        };
    }

    private static CamModel model() {
        return model(twoPairs(), List.of("b1", "b2"));
    }

    /** {@code backbone} with the CAM head, its batch norms {@code bns} given random parameters and statistics. */
    private static CamModel model(Backbone backbone, List<String> bns) {
        CamModel m = new ModelAssembler()
                .seed(3)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .assemble(backbone, SHAPE, 4, Objective.of(ctx -> List.of(CrossEntropy.term(ctx))));
        Nd4j.getRandom().setSeed(11);
        for (String bn : bns) {
            Layer l = m.graph().getLayer(bn);
            uniform(l.getParam(BatchNormalizationParamInitializer.GAMMA), 0.5, 1.5);
            uniform(l.getParam(BatchNormalizationParamInitializer.BETA), -0.5, 0.5);
            uniform(l.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN), -0.5, 0.5);
            String stat = l.paramTable().containsKey(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                    ? BatchNormalizationParamInitializer.GLOBAL_LOG_STD
                    : BatchNormalizationParamInitializer.GLOBAL_VAR;
            uniform(l.getParam(stat), 0.1, 0.3); // log10(std) in [0.1, 0.3], or var in [0.1, 0.3]
        }
        return m;
    }

    private static void uniform(INDArray a, double lo, double hi) {
        a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(hi - lo).addi(lo));
    }

    private static FastConvolutionLayer conv(CamModel m, String name) {
        return (FastConvolutionLayer) m.graph().getLayer(name);
    }

    @Test
    void inferencePassesFoldAndMatchTheUnfusedModel() {
        CamModel m = model();
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 8, 8, 3);

        System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
        CamModel.Forward reference = m.forward(x, false, true);
        assertNull(conv(m, "c2").foldedDescription(), "dl4j switch: unfused");
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);

        CamModel.Forward plain = m.forward(x);
        assertNotNull(conv(m, "c1").foldedDescription(), "forward(x): c1 folded with b1");
        assertNotNull(conv(m, "c2").foldedDescription(), "forward(x): c2 folded with b2");
        assertNull(conv(m, "c1").foldTarget(), "the scope is closed after the pass");
        FoldedInferenceTest.assertClose(reference.features(), plain.features(), "features");
        FoldedInferenceTest.assertClose(reference.logits(), plain.logits(), "logits");

        CamModel.Forward staged = m.forward(x, false, true);
        assertNotNull(conv(m, "c2").foldedDescription(), "with stages: c2 folded with b2");
        assertEquals(1, staged.stages().size());
        FoldedInferenceTest.assertClose(
                reference.stages().get(0), staged.stages().get(0), "stage b1");
        FoldedInferenceTest.assertClose(reference.features(), staged.features(), "features with stages");
    }

    /**
     * A stage at a batch norm that feeds a residual add ({@code c1 → b1 (ReLU) → c2 → b2 (ReLU) → c3 → b3 →
     * add(b3, b1) + ReLU}, stage {@code b3}): asked for by the pass, so its add is not fused into {@code c3} and its
     * map keeps its meaning.
     */
    @Test
    void aStageAtABatchNormBeforeAResidualAddKeepsItsMap() {
        Backbone residual = new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(8, 1, List.of(new BackboneInfo.Stage("b3", 8, 1)));
            }

            @Override
            public String build(BackboneContext ctx) {
                Layers layers = new Layers(ctx);
                String b1 = layers.bn("b1", layers.conv("c1", ctx.input(), 3, 8, 3, 1), 8, true);
                String b2 = layers.bn("b2", layers.conv("c2", b1, 8, 8, 3, 1), 8, true);
                String b3 = layers.bn("b3", layers.conv("c3", b2, 8, 8, 3, 1), 8, false);
                return layers.addRelu("add", b3, b1);
            }
        };
        CamModel m = model(residual, List.of("b1", "b2", "b3"));
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 8, 8, 3);
        System.setProperty(FastConvolutionLayer.FORWARD_PROPERTY, "dl4j");
        CamModel.Forward reference = m.forward(x, false, true);
        System.clearProperty(FastConvolutionLayer.FORWARD_PROPERTY);

        CamModel.Forward staged = m.forward(x, false, true);
        assertNotNull(conv(m, "c3").foldedDescription(), "c3 folded with b3");
        assertFalse(conv(m, "c3").foldedDescription().contains("sum post-op"), "the add after the stage b3: unfused");
        FoldedInferenceTest.assertClose(
                reference.stages().get(0), staged.stages().get(0), "stage b3");
        FoldedInferenceTest.assertClose(reference.features(), staged.features(), "features");
        FoldedInferenceTest.assertClose(reference.logits(), staged.logits(), "logits");
    }

    @Test
    void trainingPassesStayUnfused() {
        CamModel m = model();
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 8, 8, 3);
        m.forward(x, true);
        assertNull(conv(m, "c1").foldedDescription(), "training: c1 unfused");
        assertNull(conv(m, "c2").foldedDescription(), "training: c2 unfused");
        assertNull(conv(m, "c1").foldTarget(), "training: no scope");
    }
}
