package org.camloss.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.camloss.api.LossTerm;
import org.camloss.api.layers.StoredModels;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.TestNets;
import org.camloss.engine.head.CamHead;
import org.camloss.engine.head.Objective;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;

/** Objectives are not stored in model files: a loaded model infers, refuses to train, and trains with what it is given. */
class LoadedModelObjectiveTest {
    /** Cross-entropy plus a second term, so a model training with plain cross-entropy would be caught. */
    private static Objective twoTerms() {
        return Objective.of(ctx -> List.of(
                CrossEntropy.term(ctx),
                LossTerm.of(
                        "logit_l2",
                        ctx.outputs()
                                .logits()
                                .mul(ctx.outputs().logits())
                                .sum(1)
                                .mean(),
                        0.01)));
    }

    @Test
    void aLoadedModelInfersRefusesToTrainAndThenTrainsWithTheObjectiveItIsGiven(@TempDir Path tmp) throws Exception {
        CamModel trained = TestNets.model(twoTerms(), DataType.FLOAT, new Sgd(0.1), 3);
        INDArray x = TestNets.images(4, DataType.FLOAT, 1);
        INDArray y = TestNets.oneHot(4, DataType.FLOAT);
        trained.graph().fit(new INDArray[] {x}, new INDArray[] {y});
        Path file = tmp.resolve("model.zip");
        ModelSerializer.writeModel(trained.graph(), file.toFile(), true);

        ComputationGraph graph = StoredModels.readGraph(file, true);
        CamModel loaded = new CamModel(graph, "conv", TestNets.oneConv().info(), TestNets.SHAPE);
        assertFalse(loaded.head().hasObjective());
        INDArray expected = trained.graph().outputSingle(false, x);
        assertEquals(expected, loaded.graph().outputSingle(false, x), "inference needs no objective");

        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> loaded.graph().fit(new INDArray[] {x}, new INDArray[] {y}));
        assertTrue(
                e.getMessage()
                        .startsWith("this model has no objective to train: a model read from a file does "
                                + "not store its loss"),
                e.getMessage());

        loaded.setObjective(twoTerms()); // after an inference pass defined the head's graph with the stand-in
        loaded.graph().fit(new INDArray[] {x}, new INDArray[] {y});
        assertEquals(
                List.of("ce", "logit_l2"),
                List.copyOf(loaded.headLayer().lastTerms().keySet()));
        assertTrue(loaded.head().hasObjective());
        assertEquals(CamHead.class, loaded.head().getClass());
    }
}
