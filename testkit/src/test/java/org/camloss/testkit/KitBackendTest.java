package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneInfo;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.Backend;
import org.camloss.engine.head.Objective;
import org.camloss.engine.model.ModelAssembler;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

/**
 * The kit turns DL4J's oneDNN helpers on by itself. This module's surefire configuration leaves the property out, as
 * a third-party plugin project's does, so these measurements see what the kit does, not what camloss's build does.
 */
class KitBackendTest {
    /** One DL4J 3×3 convolution {@code conv} (identity activation) in the context's format. */
    private static final Backbone DL4J_CONV = new Backbone() {
        @Override
        public BackboneInfo info() {
            return new BackboneInfo(4, 1, List.of(new BackboneInfo.Stage("conv", 4, 1)));
        }

        @Override
        public String build(BackboneContext ctx) {
            ctx.graph()
                    .addLayer(
                            "conv",
                            new ConvolutionLayer.Builder(3, 3)
                                    .nOut(4)
                                    .convolutionMode(ConvolutionMode.Same)
                                    .activation(Activation.IDENTITY)
                                    .dataFormat(ctx.format())
                                    .build(),
                            ctx.input());
            return "conv";
        }
    };

    /** The oneDNN helper of the convolution in a freshly assembled NHWC model (null when DL4J made none). */
    private static ConvolutionHelper helperOfANewConvolution() {
        var model = new ModelAssembler()
                .format(CNN2DFormat.NHWC)
                .assemble(
                        DL4J_CONV,
                        TinyNets.SHAPE,
                        TinyNets.CLASSES,
                        Objective.of(ctx -> List.of(CrossEntropy.term(ctx))));
        var layer = (org.deeplearning4j.nn.layers.convolution.ConvolutionLayer)
                model.graph().getLayer("conv");
        return (ConvolutionHelper) layer.getHelper();
    }

    @Test
    void theJvmHasNoHelpersPropertyFromTheBuild() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertTrue(args.stream().noneMatch(a -> a.startsWith("-D" + Backend.HELPERS_DISABLE)), args.toString());
    }

    @Test
    void loadingAContractTurnsTheHelpersOnAndAConvolutionThenHasOne() throws ClassNotFoundException {
        Class.forName(PluginContract.class.getName(), true, KitBackendTest.class.getClassLoader());
        assertEquals("false", System.getProperty(Backend.HELPERS_DISABLE));
        ConvolutionHelper helper = helperOfANewConvolution();
        assertNotNull(helper, "no oneDNN helper on a DL4J convolution");
        assertEquals("MKLDNNConvHelper", helper.getClass().getSimpleName());
    }

    /** DL4J reads the property when it instantiates a layer: without it a convolution has no helper. */
    @Test
    void dl4jReadsThePropertyWhenALayerIsInstantiated() throws ClassNotFoundException {
        Class.forName(PluginContract.class.getName(), true, KitBackendTest.class.getClassLoader());
        String saved = System.clearProperty(Backend.HELPERS_DISABLE);
        try {
            assertNull(helperOfANewConvolution(), "a helper although the property is unset (DL4J's default: disabled)");
        } finally {
            System.setProperty(Backend.HELPERS_DISABLE, saved);
        }
        assertNotNull(helperOfANewConvolution());
    }
}
