package org.camloss.engine.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.camloss.api.Backbone;
import org.camloss.api.Distiller;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TeacherSignal;
import org.camloss.api.layers.StoredModels;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.TestNets;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The head's inference output without SameDiff ({@link CamHeadLayer#activate}, taken when every term has a kernel)
 * against its SameDiff graph (the same model with kernels off): NHWC and NCHW, float and double, 6×6 and 3×3 feature
 * maps, batches of 1, 3 and 17, a head that also receives the backbone's stages (a distillation student's), and a
 * model read back from a file.
 */
class HeadInferenceTest {
    private static Objective crossEntropy() {
        return Objective.of(ctx -> List.of(CrossEntropy.term(ctx)));
    }

    /** Cross-entropy plus a term without a kernel: the head then infers with SameDiff. */
    private static Objective withSameDiffTerm() {
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

    /** For assembly only: makes the assembler pack the stages into the head's input; replaced before any pass. */
    private static final Distiller STAGES = new Distiller() {
        @Override
        public Set<TeacherSignal> requires() {
            return Set.of(TeacherSignal.STAGES);
        }

        @Override
        public List<LossTerm> define(LossContext student, TeacherOutputs teacher) {
            throw new UnsupportedOperationException("only assembled: the test gives the model another objective");
        }
    };

    static List<Arguments> cases() {
        List<Arguments> out = new java.util.ArrayList<>();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (CNN2DFormat format : CNN2DFormat.values()) {
                for (String backbone : new String[] {"one-conv", "two-stage"}) {
                    for (boolean packed : new boolean[] {false, true}) {
                        out.add(Arguments.of(type, format, backbone, packed));
                    }
                }
            }
        }
        return out;
    }

    private static CamModel model(DataType type, CNN2DFormat format, String backbone, boolean packed) {
        Backbone b = backbone.equals("two-stage") ? TestNets.twoStage() : TestNets.oneConv();
        Objective assembly =
                packed ? new Objective(new CamHead.CrossEntropyOnly(), List.of(), List.of(STAGES)) : crossEntropy();
        CamModel model = new ModelAssembler()
                .seed(7)
                .dataType(type)
                .format(format)
                .updater(new Sgd(0.1))
                .assemble(b, TestNets.SHAPE, TestNets.CLASSES, assembly);
        model.setObjective(crossEntropy());
        return model;
    }

    private static INDArray images(int n, DataType type, CNN2DFormat format) {
        INDArray x = TestNets.images(n, type, 40 + n);
        return format == CNN2DFormat.NCHW ? x.permute(0, 3, 1, 2).dup('c') : x;
    }

    @ParameterizedTest(name = "{0} {1} {2} packed={3}")
    @MethodSource("cases")
    void probabilitiesWithoutSameDiffEqualTheGraphs(
            DataType type, CNN2DFormat format, String backbone, boolean packed) {
        CamModel model = model(type, format, backbone, packed);
        assertEquals(packed, model.head().receivesStages());
        double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-12;
        for (int n : new int[] {1, 3, 17}) {
            String where = type + " " + format + " " + backbone + (packed ? " packed" : "") + ", batch " + n;
            INDArray x = images(n, type, format);
            INDArray fast = model.graph().outputSingle(false, x).dup();
            assertTrue(model.headLayer().infersOnKernels(), where);
            model.setObjective(crossEntropy().useKernels(false));
            INDArray reference = model.graph().outputSingle(false, x).dup();
            assertFalse(model.headLayer().infersOnKernels(), where);
            model.setObjective(crossEntropy());

            assertEquals(type, fast.dataType(), where);
            assertArrayEquals(new long[] {n, TestNets.CLASSES}, fast.shape(), where);
            assertEquals(0, fast.sub(reference).amaxNumber().doubleValue(), tolerance, where);
            assertEquals(n, fast.sumNumber().doubleValue(), 10 * n * tolerance, where + ": rows sum to 1");
        }
    }

    @Test
    void aTermWithoutKernelKeepsSameDiffWithTheSameProbabilities() {
        CamModel model = TestNets.model(withSameDiffTerm(), DataType.FLOAT, new Sgd(0.1), 3);
        INDArray x = TestNets.images(5, DataType.FLOAT, 9);
        INDArray sameDiff = model.graph().outputSingle(false, x).dup();
        assertFalse(model.headLayer().infersOnKernels(), "logit_l2 has no kernel");
        model.setObjective(crossEntropy());
        INDArray kernels = model.graph().outputSingle(false, x).dup();
        assertTrue(model.headLayer().infersOnKernels());
        assertEquals(0, kernels.sub(sameDiff).amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void aModelReadFromAFileInfersWithoutSameDiffAsTrained(@TempDir Path tmp) throws Exception {
        CamModel trained = TestNets.model(withSameDiffTerm(), DataType.FLOAT, new Sgd(0.1), 3);
        INDArray x = TestNets.images(6, DataType.FLOAT, 2);
        trained.graph().fit(new INDArray[] {x}, new INDArray[] {TestNets.oneHot(6, DataType.FLOAT)});
        INDArray expected = trained.graph().outputSingle(false, x).dup();
        Path file = tmp.resolve("model.zip");
        ModelSerializer.writeModel(trained.graph(), file.toFile(), true);

        ComputationGraph graph = StoredModels.readGraph(file, true);
        CamModel loaded = new CamModel(graph, "conv", TestNets.oneConv().info(), TestNets.SHAPE);
        INDArray out = loaded.graph().outputSingle(false, x);
        assertTrue(loaded.headLayer().infersOnKernels(), "the stand-in objective is cross-entropy, on its kernel");
        assertEquals(0, out.sub(expected).amaxNumber().doubleValue(), 1e-6);
        assertEquals(Nd4j.argMax(expected, 1), Nd4j.argMax(out, 1));
    }
}
