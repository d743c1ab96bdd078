package org.camloss.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.camloss.api.EpochWeight;
import org.camloss.api.Loss;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.Regularizer;
import org.camloss.api.ResidualDrop;
import org.camloss.api.TargetEffect;
import org.camloss.api.cam.CamTerm;
import org.camloss.api.cam.Normalization;
import org.camloss.api.cam.Routing;
import org.camloss.api.data.Batch;
import org.camloss.api.data.RegionalTargets;
import org.camloss.api.layers.DropoutVertex;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.TestNets;
import org.camloss.engine.head.Objective;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * What regularizers change in a model: per-cell targets riding in the head's labels (packed by
 * {@link CamModel#labels}, read by the kernel and by the SameDiff definition alike, and differentiated correctly), the
 * dropout before the head, and the assembler's refusal of a network request the backbone cannot apply.
 */
class RegularizedModelTest {
    private static final int N = 4;

    /** A regularizer declaring per-pixel targets (the batches below carry them). */
    private static final Regularizer REGIONAL = new Regularizer() {
        @Override
        public TargetEffect targetEffect() {
            return TargetEffect.REGIONAL;
        }
    };

    private static Loss camLoss(Routing routing) {
        return ctx -> List.of(
                CrossEntropy.term(ctx),
                CamTerm.term(ctx, routing, Normalization.MIN_MAX, 1e-8, EpochWeight.constant(1.0)));
    }

    /** Images, targets mixed with the next sample's, and per-pixel targets of a box of rows 1-3, columns 2-4. */
    private static Batch boxBatch() {
        INDArray x = TestNets.images(N, DataType.DOUBLE, 5);
        INDArray q = TestNets.oneHot(N, DataType.DOUBLE);
        INDArray partner = Nd4j.zeros(DataType.DOUBLE, N, TestNets.CLASSES);
        for (int i = 0; i < N; i++) {
            partner.putRow(i, q.getRow((i + 1) % N));
        }
        INDArray weights = Nd4j.zeros(DataType.DOUBLE, N, 6, 6, 2);
        for (int y = 0; y < 6; y++) {
            for (int c = 0; c < 6; c++) {
                boolean in = y >= 1 && y < 4 && c >= 2 && c < 5;
                for (int i = 0; i < N; i++) {
                    weights.putScalar(new int[] {i, y, c, in ? 1 : 0}, 1.0);
                }
            }
        }
        double share = 9.0 / 36;
        INDArray mixed = q.mul(1 - share).addi(partner.mul(share));
        return new Batch(x, mixed, Optional.of(new RegionalTargets(weights, Nd4j.stack(1, q, partner))));
    }

    private static CamModel model(Routing routing, boolean kernels) {
        Objective o = new Objective(camLoss(routing), List.of(REGIONAL), List.of()).useKernels(kernels);
        return TestNets.model(o, DataType.DOUBLE, new NoOp(), 3);
    }

    @Test
    void labelsCarryTheTargetOfEveryCellAfterTheTargets() {
        CamModel model = model(Routing.WEIGHT_DETACHED, true);
        Batch b = boxBatch();
        INDArray labels = model.labels(b);
        int cells = 36;
        assertEquals(List.of((long) N, (long) TestNets.CLASSES * (1 + cells)), List.of(labels.size(0), labels.size(1)));
        assertEquals(
                b.targets(),
                labels.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, TestNets.CLASSES)));
        // cell (2, 3) is inside the box: the partner's class; cell (0, 0) outside: the own class
        int k = TestNets.CLASSES;
        assertEquals(1.0, labels.getDouble(0, k + (2 * 6 + 3) * k + 1), 1e-12);
        assertEquals(1.0, labels.getDouble(0, k + 0), 1e-12);
        INDArray plain = model.labels(new Batch(b.features(), b.targets()));
        for (int c = 0; c < cells; c++) {
            for (int j = 0; j < k; j++) {
                assertEquals(
                        b.targets().getDouble(1, j),
                        plain.getDouble(1, k + c * k + j),
                        1e-12,
                        "a batch without per-pixel targets gets its targets in every cell");
            }
        }
        CamModel noRegional = TestNets.model(Objective.of(camLoss(Routing.FULL)), DataType.DOUBLE, new NoOp(), 3);
        assertEquals(b.targets(), noRegional.labels(b), "without a regional regularizer the labels are the targets");
    }

    /** The head's score and gradients from per-cell targets are the same by the kernels and by SameDiff. */
    @Test
    void kernelsAndSameDiffAgreeOnTheRegionalHead() {
        for (Routing routing : Routing.values()) {
            Batch b = boxBatch();
            ComputationGraph withKernels = model(routing, true).graph();
            ComputationGraph withSameDiff = model(routing, false).graph();
            INDArray labels = model(routing, true).labels(b);
            double[] scores = new double[2];
            INDArray[] grads = new INDArray[2];
            ComputationGraph[] graphs = {withKernels, withSameDiff};
            for (int i = 0; i < 2; i++) {
                graphs[i].setInputs(b.features());
                graphs[i].setLabels(labels);
                graphs[i].computeGradientAndScore();
                scores[i] = graphs[i].score();
                grads[i] = graphs[i].gradient().gradient().dup();
            }
            assertEquals(scores[1], scores[0], 1e-9, routing + ": score");
            double diff = Transforms.abs(grads[0].sub(grads[1])).maxNumber().doubleValue();
            assertTrue(diff < 1e-9, routing + ": gradients differ by " + diff);
        }
    }

    /** The regional CAM term differs from the mixed one on the same batch: the per-cell targets are read. */
    @Test
    void perCellTargetsChangeTheCamTerm() {
        CamModel regional = model(Routing.FULL, true);
        CamModel mixed = TestNets.model(Objective.of(camLoss(Routing.FULL)), DataType.DOUBLE, new NoOp(), 3);
        Batch b = boxBatch();
        regional.graph().setInputs(b.features());
        regional.graph().setLabels(regional.labels(b));
        regional.graph().computeGradientAndScore();
        mixed.graph().setInputs(b.features());
        mixed.graph().setLabels(b.targets());
        mixed.graph().computeGradientAndScore();
        assertEquals(
                mixed.headLayer().lastTerms().get("ce"),
                regional.headLayer().lastTerms().get("ce"),
                1e-12,
                "ce");
        assertFalse(
                Math.abs(mixed.headLayer().lastTerms().get("cam")
                                - regional.headLayer().lastTerms().get("cam"))
                        < 1e-6,
                "cam term ignores the per-cell targets");
    }

    /** DL4J's gradient check of the whole model with per-cell targets (routing full: every gradient is true). */
    @Test
    void regionalHeadPassesGradientCheck() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            CamModel model = model(Routing.FULL, true);
            Batch b = boxBatch();
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(model.graph())
                    .inputs(new INDArray[] {b.features()})
                    .labels(new INDArray[] {model.labels(b)})
                    .epsilon(1e-6)
                    .maxRelError(1e-4)
                    .minAbsoluteError(1e-9));
            assertTrue(ok, "gradient check failed with per-cell targets");
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @Test
    void dropoutBeforeTheHeadSitsBetweenTheFeaturesAndTheHead() {
        Regularizer dropout = new Regularizer() {
            @Override
            public NetworkRegularization network() {
                return NetworkRegularization.featureDropout(0.5);
            }
        };
        CamModel model = TestNets.model(
                new Objective(camLoss(Routing.FULL), List.of(dropout), List.of()), DataType.DOUBLE, new NoOp(), 3);
        var conf = model.graph().getConfiguration();
        assertTrue(conf.getVertices().get(ModelAssembler.FEATURE_DROPOUT) instanceof DropoutVertex);
        assertEquals(
                List.of(ModelAssembler.FEATURE_DROPOUT), conf.getVertexInputs().get(CamModel.HEAD));
        assertEquals("conv", model.featureVertex(), "maps are read before the dropout");
        INDArray x = TestNets.images(N, DataType.DOUBLE, 1);
        assertEquals(model.graph().outputSingle(false, x), model.graph().outputSingle(false, x));
        INDArray a = model.graph().outputSingle(true, x).dup();
        model.graph().getConfiguration().setIterationCount(1);
        assertFalse(a.equals(model.graph().outputSingle(true, x)), "training output varies with the step");
    }

    @Test
    void aNetworkRequestTheBackboneCannotApplyIsRefused() {
        Regularizer sd = new Regularizer() {
            @Override
            public NetworkRegularization network() {
                return NetworkRegularization.residual(ResidualDrop.stochasticDepth(0.5));
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelAssembler()
                .backboneName("one-conv")
                .assemble(
                        TestNets.oneConv(),
                        TestNets.SHAPE,
                        3,
                        new Objective(camLoss(Routing.FULL), List.of(sd), List.of())));
        assertEquals(
                "a regularizer asks for stochastic depth, which backbone 'one-conv' does not apply (it applies none)",
                e.getMessage());
        Regularizer shake = new Regularizer() {
            @Override
            public NetworkRegularization network() {
                return NetworkRegularization.residual(ResidualDrop.shakeDrop(0.5, -1, 1, 0, 1));
            }
        };
        Objective both = new Objective(camLoss(Routing.FULL), List.of(sd, shake), List.of());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, both::network);
        assertEquals("both act on the residual branches (stochastic-depth and shakedrop)", twice.getMessage());
        assertEquals(Set.of(), TestNets.oneConv().regularizations());
    }
}
