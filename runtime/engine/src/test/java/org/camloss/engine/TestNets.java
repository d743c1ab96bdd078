package org.camloss.engine;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.CamModel;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The engine's own tiny model for its tests (the testkit's {@code TinyNets} sits downstream of the engine): one 3×3
 * convolution {@code conv} with tanh on 6×6×2 images, 4 channels, then the CAM head over 3 classes.
 */
public final class TestNets {
    public static final InputShape SHAPE = new InputShape(2, 6, 6);
    public static final int CHANNELS = 4;
    public static final int CLASSES = 3;

    private TestNets() {}

    /** The one-convolution backbone. */
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
                                new ConvolutionLayer.Builder(3, 3)
                                        .nOut(CHANNELS)
                                        .convolutionMode(ConvolutionMode.Same)
                                        .activation(Activation.TANH)
                                        .dataFormat(ctx.format())
                                        .build(),
                                ctx.input());
                return "conv";
            }
        };
    }

    /**
     * A two-stage backbone: {@code conv1} (3×3, 3 channels, tanh) then {@code conv2} (3×3, stride 2, {@link #CHANNELS}
     * channels, tanh), both declared as stages; 3×3 feature maps on {@link #SHAPE}.
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
                                new ConvolutionLayer.Builder(3, 3)
                                        .nOut(3)
                                        .convolutionMode(ConvolutionMode.Same)
                                        .activation(Activation.TANH)
                                        .dataFormat(ctx.format())
                                        .build(),
                                ctx.input());
                ctx.graph()
                        .addLayer(
                                "conv2",
                                new ConvolutionLayer.Builder(new int[] {3, 3}, new int[] {2, 2})
                                        .nOut(CHANNELS)
                                        .convolutionMode(ConvolutionMode.Same)
                                        .activation(Activation.TANH)
                                        .dataFormat(ctx.format())
                                        .build(),
                                "conv1");
                return "conv2";
            }
        };
    }

    /**
     * A backbone with the layouts of a real one: convolutions, batch norms (running statistics in the flat parameter
     * array between trainable parameters) and a residual add with ReLU; {@link #CHANNELS} channels at stride 1.
     */
    public static Backbone convBnAddRelu() {
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(CHANNELS, 1, List.of(new BackboneInfo.Stage("add", CHANNELS, 1)));
            }

            @Override
            public String build(BackboneContext ctx) {
                org.camloss.api.layers.Layers l = new org.camloss.api.layers.Layers(ctx);
                String a = l.convBnAct("a", ctx.input(), SHAPE.channels(), CHANNELS, 3, 1, Activation.RELU);
                String b = l.convBnAct("b", a, CHANNELS, CHANNELS, 3, 1, Activation.IDENTITY);
                return l.addRelu("add", a, b);
            }
        };
    }

    /** The tiny model with {@code objective}. */
    public static CamModel model(Objective objective, DataType dataType, IUpdater updater, long seed) {
        return new ModelAssembler()
                .seed(seed)
                .dataType(dataType)
                .updater(updater)
                .assemble(oneConv(), SHAPE, CLASSES, objective);
    }

    /** Random NHWC images. */
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
}
