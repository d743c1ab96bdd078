package org.camloss.testkit;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.layers.FastConvolution;
import org.camloss.api.layers.Layers;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Tiny models and data for contract tests: one 3×3 convolution with tanh ({@link FastConvolution}, which applies its
 * activation correctly under the oneDNN helpers), then the CAM head; assembled in NHWC as the runtime does.
 */
public final class TinyNets {
    /** Input shape of the tiny models. */
    public static final InputShape SHAPE = new InputShape(2, 6, 6);
    /** Feature channels of the tiny backbone. */
    public static final int CHANNELS = 4;
    /** Classes. */
    public static final int CLASSES = 3;

    private TinyNets() {}

    /** A one-convolution backbone named {@code conv}. */
    public static Backbone oneConv() {
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(CHANNELS, 1, List.of(new BackboneInfo.Stage("conv", CHANNELS, 1)));
            }

            @Override
            public String build(BackboneContext ctx) {
                ctx.graph()
                        .addLayer(
                                "conv",
                                new FastConvolution(new ConvolutionLayer.Builder(3, 3)
                                        .nOut(CHANNELS)
                                        .convolutionMode(ConvolutionMode.Same)
                                        .activation(Activation.TANH)
                                        .dataFormat(ctx.format())),
                                ctx.input());
                return "conv";
            }
        };
    }

    /**
     * A two-stage backbone for stage distillers: {@code conv1} (3×3, 3 channels, tanh, stride 1) then
     * {@code conv2} (3×3, {@link #CHANNELS} channels, tanh, stride 2); both declared as stages.
     */
    public static Backbone twoStage() {
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(
                        CHANNELS,
                        2,
                        List.of(new BackboneInfo.Stage("conv1", 3, 1), new BackboneInfo.Stage("conv2", CHANNELS, 2)));
            }

            @Override
            public String build(BackboneContext ctx) {
                ctx.graph()
                        .addLayer(
                                "conv1",
                                new FastConvolution(new ConvolutionLayer.Builder(3, 3)
                                        .nOut(3)
                                        .convolutionMode(ConvolutionMode.Same)
                                        .activation(Activation.TANH)
                                        .dataFormat(ctx.format())),
                                ctx.input());
                ctx.graph()
                        .addLayer(
                                "conv2",
                                new FastConvolution(new ConvolutionLayer.Builder(new int[] {3, 3}, new int[] {2, 2})
                                        .nOut(CHANNELS)
                                        .convolutionMode(ConvolutionMode.Same)
                                        .activation(Activation.TANH)
                                        .dataFormat(ctx.format())),
                                "conv1");
                return "conv2";
            }
        };
    }

    /**
     * A residual backbone that applies every network-level regularization: a 3×3 stem convolution with batch norm and
     * ReLU ({@code stem_bn}, {@link #CHANNELS} channels), then two post-activation residual blocks {@code b1}, {@code b2}
     * (conv–BN–ReLU–conv–BN plus the identity, then ReLU, through {@code Layers.residual}; the second convolution's input
     * dropped with the context's block dropout through {@code Layers.dropout}). Output {@code b2_add}, stride 1.
     */
    public static Backbone residual() {
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(CHANNELS, 1, List.of(new BackboneInfo.Stage("b2_add", CHANNELS, 1)));
            }

            @Override
            public java.util.Set<NetworkRegularization.Kind> regularizations() {
                return java.util.EnumSet.allOf(NetworkRegularization.Kind.class);
            }

            @Override
            public String build(BackboneContext ctx) {
                Layers l = new Layers(ctx);
                l.conv("stem_conv", ctx.input(), ctx.shape().channels(), CHANNELS, 3, 1);
                String x = l.bn("stem_bn", "stem_conv", CHANNELS, true);
                for (int b = 1; b <= 2; b++) {
                    String name = "b" + b;
                    l.conv(name + "_conv1", x, CHANNELS, CHANNELS, 3, 1);
                    String h = l.dropout(
                            name + "_drop",
                            l.bn(name + "_bn1", name + "_conv1", CHANNELS, true),
                            ctx.regularization().blockDropout());
                    l.conv(name + "_conv2", h, CHANNELS, CHANNELS, 3, 1);
                    String branch = l.bn(name + "_bn2", name + "_conv2", CHANNELS, false);
                    x = l.residual(name + "_add", branch, x, true, b, 2);
                }
                return x;
            }
        };
    }

    /** A tiny model of {@code backbone} with {@code objective}, NHWC. */
    public static CamModel model(
            Backbone backbone, Objective objective, DataType dataType, IUpdater updater, long seed) {
        return new ModelAssembler()
                .seed(seed)
                .dataType(dataType)
                .format(CNN2DFormat.NHWC)
                .updater(updater)
                .assemble(backbone, SHAPE, CLASSES, objective);
    }

    /** The tiny model with {@code objective}, NHWC. */
    public static CamModel model(Objective objective, DataType dataType, IUpdater updater, long seed) {
        return model(oneConv(), objective, dataType, updater, seed);
    }

    /** Random NHWC images for the tiny model. */
    public static INDArray images(int n, DataType dataType, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(dataType, n, SHAPE.height(), SHAPE.width(), SHAPE.channels());
    }

    /** One-hot targets cycling through the classes. */
    public static INDArray oneHot(int n, DataType dataType) {
        INDArray t = Nd4j.zeros(dataType, n, CLASSES);
        for (int i = 0; i < n; i++) {
            t.putScalar(i, i % CLASSES, 1.0);
        }
        return t;
    }

    /** Soft targets: a mix of two classes per sample. */
    public static INDArray soft(int n, DataType dataType) {
        INDArray t = Nd4j.zeros(dataType, n, CLASSES);
        for (int i = 0; i < n; i++) {
            t.putScalar(i, i % CLASSES, 0.7);
            t.putScalar(i, (i + 1) % CLASSES, 0.3);
        }
        return t;
    }
}
