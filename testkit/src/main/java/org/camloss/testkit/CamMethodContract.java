package org.camloss.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.camloss.api.layers.FastConvolution;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.explain.CamBatch;
import org.camloss.engine.explain.ExplainedModel;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The contract of a {@link CamMethodFactory}: every check of {@link PluginContract}, plus checks of meaning, each run
 * the way {@code camloss explain} runs a method (the engine's {@link CamBatch}: one inference forward pass, a context
 * that offers only what {@link CamMethod#requires()} declares), in double precision:
 *
 * <ul>
 *   <li>the maps are [N, h, w] at the target layer's resolution and finite, at the model's feature map and, unless
 *       the method needs the linear head, at an earlier layer;</li>
 *   <li>the method reads only what it declares (the context refuses the rest), and a method that needs the linear
 *       head refuses a layer without one with an {@link IllegalArgumentException};</li>
 *   <li>each image is explained on its own: the maps of a batch equal those of each image alone, and in any order;
 *       the same input gives the same maps;</li>
 *   <li>on a model whose class k is evidenced by feature channel k only (a 1×1 identity convolution, head weights
 *       W = 20·I), with channel 0 bright at the top left and channel 1 at the bottom right, the map for target 0 peaks at
 *       the top left and for target 1 at the bottom right — a flipped sign, an ignored target or a mixed-up axis
 *       fails; a class-agnostic method ({@link #classDiscriminative()} false) must instead give the same map for
 *       every target;</li>
 *   <li>an all-zero image (flat maps, zero activations) gives finite maps.</li>
 * </ul>
 */
@ExtendWith(DoublePrecision.class)
public abstract class CamMethodContract extends PluginContract<CamMethodFactory> {
    /** Input of the evidence model: 8×8, 2 channels. */
    private static final InputShape EVIDENCE_SHAPE = new InputShape(2, 8, 8);

    @Override
    protected final Class<CamMethodFactory> kind() {
        return CamMethodFactory.class;
    }

    /** The method built from {@link #testParams()}. */
    protected final CamMethod method() {
        return factory().create(resolvedTestParams());
    }

    /**
     * Whether the maps depend on the target class (true for CAM, Grad-CAM and their relatives); a class-agnostic map
     * such as the CAAM returns false, and is then checked to be the same for every target.
     */
    protected boolean classDiscriminative() {
        return true;
    }

    private static CamModel twoStage() {
        return TinyNets.model(
                TinyNets.twoStage(),
                Objective.of(ctx -> List.of(CrossEntropy.term(ctx))),
                DataType.DOUBLE,
                new Sgd(0.1),
                17);
    }

    private INDArray maps(ExplainedModel model, String layer, INDArray images, int[] targets) {
        CamBatch batch = new CamBatch(model, layer, images, targets, 3);
        try {
            return batch.maps(method());
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("without declaring it")) {
                org.junit.jupiter.api.Assertions.fail(
                        plugin() + " read " + e.getMessage().replaceAll(".* asked for (\\w+) .*", "$1")
                                + " without declaring it in requires() (declared: " + method().requires() + ")");
            }
            throw e;
        }
    }

    private static void requireFinite(INDArray maps, String what) {
        for (double v : maps.castTo(DataType.DOUBLE).data().asDouble()) {
            require(Double.isFinite(v), () -> what + " holds a non-finite value (" + v + ")");
        }
    }

    /** The layers the checks use: the feature map, and an earlier one unless the method needs the linear head. */
    private List<String> layers() {
        return method().requires().contains(CamInput.LINEAR_HEAD) ? List.of("conv2") : List.of("conv2", "conv1");
    }

    @Test
    void mapsHaveTheLayersShapeAndAreFinite() {
        ExplainedModel model = ExplainedModel.of(twoStage());
        INDArray x = TinyNets.images(4, DataType.DOUBLE, 3);
        for (String layer : layers()) {
            long[] s = model.mapShape(layer);
            INDArray m = maps(model, layer, x, new int[] {0, 1, 2, 1});
            require(
                    Arrays.equals(m.shape(), new long[] {4, s[1], s[2]}),
                    () -> plugin() + " at layer '" + layer + "': maps must be [N, h, w] = [4, " + s[1] + ", " + s[2]
                            + "], found " + Arrays.toString(m.shape()));
            requireFinite(m, plugin() + " at layer '" + layer + "'");
        }
    }

    @Test
    void readsOnlyWhatItDeclares() {
        ExplainedModel model = ExplainedModel.of(twoStage());
        maps(model, "conv2", TinyNets.images(2, DataType.DOUBLE, 4), new int[] {1, 2});
    }

    @Test
    void refusesALayerWithoutTheLinearHeadItNeeds() {
        assumeTrue(method().requires().contains(CamInput.LINEAR_HEAD), "the method does not need the linear head");
        ExplainedModel model = ExplainedModel.of(twoStage());
        CamBatch batch = new CamBatch(model, "conv1", TinyNets.images(2, DataType.DOUBLE, 4), new int[] {1, 2}, 3);
        try {
            batch.maps(method());
            org.junit.jupiter.api.Assertions.fail(
                    plugin() + " needs the linear head but gave maps at 'conv1', a layer the head does not pool");
        } catch (IllegalArgumentException expected) {
            // the runtime checks this before any work; a method must still refuse rather than compute nonsense
        } catch (RuntimeException e) {
            org.junit.jupiter.api.Assertions.fail(plugin() + " must refuse a layer without a linear head with an "
                    + "IllegalArgumentException, threw " + e);
        }
    }

    @Test
    void explainsEachImageOnItsOwn() {
        ExplainedModel model = ExplainedModel.of(twoStage());
        INDArray x = TinyNets.images(4, DataType.DOUBLE, 5);
        int[] targets = {2, 0, 1, 2};
        for (String layer : layers()) {
            INDArray all = maps(model, layer, x, targets);
            for (int i = 0; i < 4; i++) {
                INDArray one = maps(
                        model, layer, x.get(NDArrayIndex.interval(i, i + 1)).dup(), new int[] {targets[i]});
                int image = i;
                require(
                        close(all.get(NDArrayIndex.point(i)), one.get(NDArrayIndex.point(0))),
                        () -> plugin() + " at layer '" + layer + "': the map of image " + image + " differs when the "
                                + "image is explained alone (maps must not depend on the rest of the batch)");
            }
            INDArray reversed = Nd4j.concat(
                    0,
                    x.get(NDArrayIndex.interval(3, 4)),
                    x.get(NDArrayIndex.interval(2, 3)),
                    x.get(NDArrayIndex.interval(1, 2)),
                    x.get(NDArrayIndex.interval(0, 1)));
            INDArray back = maps(model, layer, reversed, new int[] {2, 1, 0, 2});
            for (int i = 0; i < 4; i++) {
                int image = i;
                require(
                        close(all.get(NDArrayIndex.point(i)), back.get(NDArrayIndex.point(3 - i))),
                        () -> plugin() + " at layer '" + layer + "': reordering the batch changed the map of image "
                                + image);
            }
            INDArray again = maps(model, layer, x, targets);
            require(
                    close(all, again),
                    () -> plugin() + " at layer '" + layer + "': the same images gave different maps the second time");
        }
    }

    @Test
    void mapsPointAtTheTargetsEvidence() {
        ExplainedModel model = ExplainedModel.of(evidenceModel());
        INDArray x = evidenceImage();
        INDArray forClass0 = maps(model, "map", x, new int[] {0});
        INDArray forClass1 = maps(model, "map", x, new int[] {1});
        if (!classDiscriminative()) {
            require(
                    close(forClass0, forClass1),
                    () -> plugin() + " declares itself class-agnostic but its maps change with the target");
            return;
        }
        long[] p0 = argmax(forClass0);
        long[] p1 = argmax(forClass1);
        require(
                p0[0] < 4 && p0[1] < 4,
                () -> plugin() + ": for target 0, whose evidence (channel 0) is at the top left, the map peaks at (row "
                        + p0[0] + ", column " + p0[1] + ")");
        require(
                p1[0] >= 4 && p1[1] >= 4,
                () -> plugin() + ": for target 1, whose evidence (channel 1) is at the bottom right, the map peaks at "
                        + "(row " + p1[0] + ", column " + p1[1] + ")");
    }

    @Test
    void flatInputGivesFiniteMaps() {
        ExplainedModel model = ExplainedModel.of(evidenceModel());
        INDArray zeros = Nd4j.zeros(DataType.DOUBLE, 2, 8, 8, 2);
        requireFinite(maps(model, "map", zeros, new int[] {0, 1}), plugin() + " on an all-zero image");
        ExplainedModel tiny = ExplainedModel.of(twoStage());
        INDArray flat = Nd4j.zeros(DataType.DOUBLE, 2, 6, 6, 2);
        for (String layer : layers()) {
            requireFinite(
                    maps(tiny, layer, flat, new int[] {0, 2}), plugin() + " on an all-zero image at '" + layer + "'");
        }
    }

    /** Two equal bumps, 8×8: channel 0 around (1.5, 1.5), channel 1 around (5.5, 5.5). */
    private static INDArray evidenceImage() {
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 1, 8, 8, 2);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                x.putScalar(new long[] {0, i, j, 0}, Math.exp(-((i - 1.5) * (i - 1.5) + (j - 1.5) * (j - 1.5)) / 2));
                x.putScalar(new long[] {0, i, j, 1}, Math.exp(-((i - 5.5) * (i - 5.5) + (j - 5.5) * (j - 5.5)) / 2));
            }
        }
        return x;
    }

    /**
     * A model whose feature map 'map' is its input (a 1×1 convolution with identity weights, no bias, identity
     * activation) and whose head has W = 20·I, b = 0: class k's logit is 20 times the mean of channel k.
     */
    private static CamModel evidenceModel() {
        Backbone identity = new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(2, 1, List.of(new BackboneInfo.Stage("map", 2, 1)));
            }

            @Override
            public String build(BackboneContext ctx) {
                ctx.graph()
                        .addLayer(
                                "map",
                                new FastConvolution(new ConvolutionLayer.Builder(1, 1)
                                        .nOut(2)
                                        .hasBias(false)
                                        .convolutionMode(ConvolutionMode.Same)
                                        .activation(Activation.IDENTITY)
                                        .dataFormat(ctx.format())),
                                ctx.input());
                return "map";
            }
        };
        CamModel m = new ModelAssembler()
                .seed(1)
                .dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1))
                .assemble(identity, EVIDENCE_SHAPE, 2, Objective.of(ctx -> List.of(CrossEntropy.term(ctx))));
        INDArray w = m.graph().getLayer("map").getParam("W"); // [out, in, 1, 1]
        w.assign(0);
        w.putScalar(new long[] {0, 0, 0, 0}, 1.0);
        w.putScalar(new long[] {1, 1, 0, 0}, 1.0);
        m.classifierWeight()
                .assign(Nd4j.eye(2).muli(20).castTo(m.classifierWeight().dataType()));
        m.classifierBias().assign(0);
        return m;
    }

    private static long[] argmax(INDArray maps) {
        INDArray m = maps.get(NDArrayIndex.point(0));
        long best = m.argMax().getLong(0);
        return new long[] {best / m.size(1), best % m.size(1)};
    }

    private static boolean close(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        double scale = Math.max(
                1e-12, Math.max(a.amaxNumber().doubleValue(), b.amaxNumber().doubleValue()));
        return a.castTo(DataType.DOUBLE)
                        .sub(b.castTo(DataType.DOUBLE))
                        .amaxNumber()
                        .doubleValue()
                <= 1e-9 * scale;
    }

    /** For subclasses: the declared inputs of the method under test. */
    protected final Set<CamInput> declared() {
        return method().requires();
    }
}
