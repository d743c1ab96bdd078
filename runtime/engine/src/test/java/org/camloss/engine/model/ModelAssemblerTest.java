package org.camloss.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.Distiller;
import org.camloss.api.InputShape;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TeacherSignal;
import org.camloss.api.layers.FastConvolution;
import org.camloss.api.layers.Layers;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ModelAssembler} compares a backbone's declared channels, stride and stages with the shapes DL4J infers
 * for the graph it builds, and names the backbone, the vertex and both numbers when they differ.
 */
class ModelAssemblerTest {
    private static final InputShape SHAPE = new InputShape(3, 16, 16);

    /**
     * Two 3×3 convolutions of stride 2 in the context's format: {@code conv1} (4 channels, stride 2) and
     * {@code conv2} (8 channels, stride 4), declaring whatever {@code info} says.
     */
    private static Backbone twoConvs(BackboneInfo info) {
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return info;
            }

            @Override
            public String build(BackboneContext ctx) {
                Layers l = new Layers(ctx);
                String x = l.convBnAct("conv1", ctx.input(), ctx.shape().channels(), 4, 3, 2, Activation.RELU);
                return l.convBnAct("conv2", x, 4, 8, 3, 2, Activation.RELU);
            }
        };
    }

    private static BackboneInfo info(int channels, int stride) {
        return new BackboneInfo(
                channels,
                stride,
                List.of(
                        new BackboneInfo.Stage("conv1_bn", 4, 2),
                        new BackboneInfo.Stage("conv2_bn", channels, stride)));
    }

    private static CamModel assemble(Backbone backbone, InputShape shape) {
        return new ModelAssembler()
                .backboneName("two-convs")
                .assemble(backbone, shape, 3, Objective.of(ctx -> List.of(CrossEntropy.term(ctx))));
    }

    @Test
    void aTrueDeclarationAssembles() {
        CamModel m = assemble(twoConvs(info(8, 4)), SHAPE);
        CamModel.Forward out = m.forward(Nd4j.rand(DataType.FLOAT, 2, 16, 16, 3));
        assertArrayEquals(new long[] {2, 8, 4, 4}, out.features().shape());
    }

    @Test
    void wrongChannelsNameTheBackboneTheVertexAndBothNumbers() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> assemble(twoConvs(info(6, 4)), SHAPE));
        assertEquals(
                "backbone 'two-convs' declares 6 channels at its feature vertex 'conv2_bn' but the graph gives 8",
                e.getMessage());
    }

    @Test
    void wrongStrideNamesTheBackboneTheVertexAndBothStrides() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> assemble(twoConvs(info(8, 2)), SHAPE));
        assertEquals(
                "backbone 'two-convs' declares stride 2 at its feature vertex 'conv2_bn' but the graph gives stride 4 "
                        + "(the map of a 16x16 input is 4x4, not 8x8)",
                e.getMessage());
    }

    /** On an input the stride does not divide, the graph's map is still ceil(size / stride) for the true stride. */
    @Test
    void strideIsCheckedOnSizesItDoesNotDivide() {
        assemble(twoConvs(info(8, 4)), new InputShape(3, 13, 10));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> assemble(twoConvs(info(8, 8)), new InputShape(3, 13, 10)));
        assertEquals(
                "backbone 'two-convs' declares stride 8 at its feature vertex 'conv2_bn' but the graph gives stride 4 "
                        + "(the map of a 13x10 input is 4x3, not 2x2)",
                e.getMessage());
    }

    /**
     * A 'Truncate' convolution loses a border (16 → 7, not 8, for stride 2): its stride is still right, so plain training
     * assembles; a distiller of the teacher's CAM, whose maps are sized by the declaration, needs the exact size.
     */
    @Test
    void truncatedMapsPassUnlessADistillerIsSizedByTheDeclaration() {
        Backbone truncate = new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(4, 2, List.of(new BackboneInfo.Stage("conv", 4, 2)));
            }

            @Override
            public String build(BackboneContext ctx) {
                ctx.graph()
                        .addLayer(
                                "conv",
                                new FastConvolution(new ConvolutionLayer.Builder(new int[] {3, 3}, new int[] {2, 2})
                                        .nOut(4)
                                        .convolutionMode(ConvolutionMode.Truncate)
                                        .activation(Activation.IDENTITY)
                                        .dataFormat(ctx.format())),
                                ctx.input());
                return "conv";
            }
        };
        assemble(truncate, SHAPE);
        Distiller cam = new Distiller() {
            @Override
            public Set<TeacherSignal> requires() {
                return Set.of(TeacherSignal.TARGET_CAM);
            }

            @Override
            public List<LossTerm> define(LossContext student, TeacherOutputs teacher) {
                throw new UnsupportedOperationException("not run");
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelAssembler()
                .backboneName("truncate")
                .assemble(
                        truncate,
                        SHAPE,
                        3,
                        new Objective(ctx -> List.of(CrossEntropy.term(ctx)), List.of(), List.of(cam))));
        assertEquals(
                "backbone 'truncate' declares stride 2 at its feature vertex 'conv' but the graph gives 7x7 for a "
                        + "16x16 input, not ceil(size / stride) = 8x8, which the distillers' teacher maps and stages are sized by "
                        + "(its convolutions or poolings lose a border: use ConvolutionMode.Same)",
                e.getMessage());
    }

    @Test
    void aWrongStageIsReportedWithTheFeatureMapInOneMessage() {
        BackboneInfo wrong = new BackboneInfo(
                6, 4, List.of(new BackboneInfo.Stage("conv1_bn", 5, 1), new BackboneInfo.Stage("conv2_bn", 6, 4)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> assemble(twoConvs(wrong), SHAPE));
        assertEquals(
                "backbone 'two-convs' declares 6 channels at its feature vertex 'conv2_bn' but the graph gives 8; "
                        + "backbone 'two-convs' declares 5 channels at its stage vertex 'conv1_bn' but the graph gives 4; "
                        + "backbone 'two-convs' declares stride 1 at its stage vertex 'conv1_bn' but the graph gives stride 2 "
                        + "(the map of a 16x16 input is 8x8, not 16x16)",
                e.getMessage());
    }

    @Test
    void aMissingStageVertexListsTheVertices() {
        BackboneInfo wrong = new BackboneInfo(
                8, 4, List.of(new BackboneInfo.Stage("conv9", 4, 2), new BackboneInfo.Stage("conv2_bn", 8, 4)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> assemble(twoConvs(wrong), SHAPE));
        assertEquals(
                "backbone 'two-convs' declares a stage at vertex 'conv9', which is not in the graph; vertices: "
                        + "[conv1_conv, conv1_bn, conv2_conv, conv2_bn]",
                e.getMessage());
    }

    @Test
    void withoutANameTheBackboneIsNamedByItsClass() {
        Backbone b = twoConvs(info(6, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelAssembler()
                .format(CNN2DFormat.NCHW)
                .assemble(b, SHAPE, 3, Objective.of(ctx -> List.of(CrossEntropy.term(ctx)))));
        assertEquals(
                "backbone '" + b.getClass().getName() + "' declares 6 channels at its feature vertex 'conv2_bn' but "
                        + "the graph gives 8",
                e.getMessage());
    }
}
