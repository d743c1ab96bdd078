package org.camloss.engine.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.TestNets;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The head's inference as one matrix product ({@value CamHeadLayer#INFERENCE_PROPERTY}{@code =gemm}, the default)
 * against ND4J's ops ({@code =ops}) and the SameDiff graph: NHWC and NCHW, batches 1, 3 and 17, before and after
 * training steps (the weights spread over the pixels must follow the weights).
 */
class GemmHeadTest {
    @AfterEach
    void clear() {
        System.clearProperty(CamHeadLayer.INFERENCE_PROPERTY);
    }

    private static Objective crossEntropy() {
        return Objective.of(ctx -> List.of(CrossEntropy.term(ctx)));
    }

    private static INDArray output(CamModel model, INDArray x, String mode) {
        System.setProperty(CamHeadLayer.INFERENCE_PROPERTY, mode);
        return model.graph().outputSingle(false, x).dup();
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void theProductEqualsTheOpsAndSameDiffAndFollowsTheWeights(CNN2DFormat format) {
        CamModel model = new ModelAssembler()
                .seed(7)
                .format(format)
                .updater(new Sgd(0.5))
                .assemble(TestNets.twoStage(), TestNets.SHAPE, TestNets.CLASSES, crossEntropy());
        for (int step = 0; step < 3; step++) {
            for (int n : new int[] {1, 3, 17}) {
                String where = format + ", batch " + n + ", after " + step + " steps";
                INDArray x = TestNets.images(n, DataType.FLOAT, 40 + n);
                if (format == CNN2DFormat.NCHW) {
                    x = x.permute(0, 3, 1, 2).dup('c');
                }
                long before = model.headLayer().gemmPasses;
                INDArray gemm = output(model, x, "gemm");
                assertTrue(model.headLayer().infersOnKernels(), where);
                assertEquals(before + 1, model.headLayer().gemmPasses, where + ": takes the product");
                INDArray ops = output(model, x, "ops");
                assertEquals(before + 1, model.headLayer().gemmPasses, where + ": the ops when switched off");
                model.setObjective(crossEntropy().useKernels(false));
                INDArray sameDiff = output(model, x, "gemm");
                model.setObjective(crossEntropy());

                assertEquals(0, gemm.sub(ops).amaxNumber().doubleValue(), 1e-6, where + ": against the ops");
                assertEquals(0, gemm.sub(sameDiff).amaxNumber().doubleValue(), 1e-6, where + ": against SameDiff");
                assertEquals(n, gemm.sumNumber().doubleValue(), 1e-5 * n, where + ": rows sum to 1");
            }
            INDArray x = TestNets.images(8, DataType.FLOAT, 3);
            if (format == CNN2DFormat.NCHW) {
                x = x.permute(0, 3, 1, 2).dup('c');
            }
            model.graph().fit(new INDArray[] {x}, new INDArray[] {TestNets.oneHot(8, DataType.FLOAT)});
        }
    }

    /** A head whose spread matrix would exceed {@link GemmHead#MAX_SPREAD} floats keeps ND4J's ops. */
    @org.junit.jupiter.api.Test
    void aLargeHeadKeepsTheOps() {
        org.camloss.api.InputShape big = new org.camloss.api.InputShape(2, 64, 64);
        CamModel model = new ModelAssembler()
                .seed(7)
                .updater(new Sgd(0.5))
                .assemble(TestNets.oneConv(), big, TestNets.CLASSES, crossEntropy());
        // 64·64 pixels × 4 channels × 3 classes = 49,152 floats: within the limit
        long before = model.headLayer().gemmPasses;
        output(model, org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 2, 64, 64, 2), "gemm");
        assertEquals(before + 1, model.headLayer().gemmPasses, "64x64: the product");
        CamModel larger = new ModelAssembler()
                .seed(7)
                .updater(new Sgd(0.5))
                .assemble(
                        TestNets.oneConv(),
                        new org.camloss.api.InputShape(2, 96, 96),
                        TestNets.CLASSES,
                        crossEntropy());
        // 96·96 × 4 × 3 = 110,592 floats: over the limit
        INDArray x = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 2, 96, 96, 2);
        INDArray ops = output(larger, x, "ops");
        INDArray gemm = output(larger, x, "gemm");
        assertEquals(0, larger.headLayer().gemmPasses, "96x96: the ops");
        assertEquals(0, gemm.sub(ops).amaxNumber().doubleValue(), 1e-6, "96x96: the same output");
    }
}
