package org.camloss.testkit;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.List;
import java.util.random.RandomGenerator;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneFactory;
import org.camloss.api.BackboneInfo;
import org.camloss.api.Loss;
import org.camloss.api.LossFactory;
import org.camloss.api.LossTerm;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.ResidualDrop;
import org.camloss.api.TargetEffect;
import org.camloss.api.data.Batch;
import org.camloss.api.layers.Layers;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.api.loss.LossMath;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plugins as a third-party author writes them, each correct or broken in one way the plugin-author trial of
 * 2026-11-30 measured (its table "What the contract kit caught and missed"). Registered in this module's test
 * {@code META-INF/services}, so that discovery passes.
 */
public final class BrokenPlugins {
    private BrokenPlugins() {}

    // ---- losses ----

    /** A loss from one SameDiff term (no kernel) and an id. */
    private abstract static class OneTermLoss implements LossFactory {
        @Override
        public String description() {
            return "A test loss: " + id() + ".";
        }

        abstract SDVariable value(org.camloss.api.LossContext ctx, Params params);

        @Override
        public Loss create(Params params) {
            return ctx -> List.of(LossTerm.of("ce", value(ctx, params), 1.0));
        }
    }

    /** Correct: mean cross-entropy with the stable log-softmax, in SameDiff only (no term kernel). */
    public static final class PlainCrossEntropy extends OneTermLoss {
        @Override
        public String id() {
            return "plain-ce";
        }

        @Override
        SDVariable value(org.camloss.api.LossContext ctx, Params params) {
            return CrossEntropy.value(ctx);
        }
    }

    /** Broken: the sign is flipped, so training maximises the cross-entropy. */
    public static final class FlippedSign extends OneTermLoss {
        @Override
        public String id() {
            return "flipped-sign";
        }

        @Override
        SDVariable value(org.camloss.api.LossContext ctx, Params params) {
            return CrossEntropy.value(ctx).neg();
        }
    }

    /** Broken: cross-entropy with ND4J's {@code sd.nn().logSoftmax}, −∞ for classes far below the largest. */
    public static final class UnsafeLogSoftmax extends OneTermLoss {
        @Override
        public String id() {
            return "unsafe-log-softmax";
        }

        @Override
        SDVariable value(org.camloss.api.LossContext ctx, Params params) {
            SDVariable logp = ctx.sameDiff().nn().logSoftmax(ctx.outputs().logits());
            return ctx.targets().mul(logp).sum(1).mean().neg();
        }
    }

    /**
     * Focal loss −Σ q (1 − p)^γ log p (Lin et al. 2017), as in the trial: fine for γ ≥ 1, a NaN gradient where the
     * softmax saturates for γ < 1 (the derivative of (1 − p)^γ is infinite at p = 1).
     */
    public static final class Focal extends OneTermLoss {
        @Override
        public String id() {
            return "focal";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(ParamSpec.ofDouble("gamma", 2.0, 0.0, 10.0, "Focusing exponent γ."));
        }

        @Override
        SDVariable value(org.camloss.api.LossContext ctx, Params params) {
            SDVariable logp = LossMath.logSoftmax(ctx.outputs().logits());
            SDVariable p = ctx.sameDiff().math().exp(logp);
            SDVariable focus = ctx.sameDiff().math().pow(p.rsub(1.0), params.getDouble("gamma"));
            return ctx.targets().mul(focus).mul(logp).sum(1).mean().neg();
        }
    }

    // ---- regularizers ----

    /**
     * Cutout (DeVries and Taylor 2017): with probability {@code p}, zeroes a {@code size}×{@code size} square (clipped
     * at the border) around a random centre of each image, in every channel. Features are NHWC [N, H, W, C].
     */
    public static class Cutout implements RegularizerFactory {
        private final String id;
        private final boolean invertedProbability;
        private final boolean swappedAxes;

        /** Correct. */
        public Cutout() {
            this("cutout", false, false);
        }

        Cutout(String id, boolean invertedProbability, boolean swappedAxes) {
            this.id = id;
            this.invertedProbability = invertedProbability;
            this.swappedAxes = swappedAxes;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "Cutout: zeroes a random square of each image.";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.ofInt("size", 8, 1, 1024, "Side of the square."),
                    ParamSpec.ofDouble("p", 1.0, 0.0, 1.0, "Chance that an image is cut."));
        }

        @Override
        public Regularizer create(Params params) {
            int size = params.getInt("size");
            double p = params.getDouble("p");
            return new Regularizer() {
                @Override
                public Batch apply(Batch batch, RandomGenerator rng) {
                    INDArray x = batch.features();
                    long h = swappedAxes ? x.size(2) : x.size(1);
                    long w = swappedAxes ? x.size(1) : x.size(2);
                    for (int i = 0; i < x.size(0); i++) {
                        double u = rng.nextDouble();
                        if (invertedProbability ? u < p : u >= p) {
                            continue;
                        }
                        long cy = rng.nextInt((int) h);
                        long cx = rng.nextInt((int) w);
                        long y0 = Math.max(0, cy - size / 2);
                        long y1 = Math.min(x.size(1), cy - size / 2 + size);
                        long x0 = Math.max(0, cx - size / 2);
                        long x1 = Math.min(x.size(2), cx - size / 2 + size);
                        if (y0 < y1 && x0 < x1) {
                            x.get(point(i), interval(y0, y1), interval(x0, x1), all())
                                    .assign(0);
                        }
                    }
                    return batch;
                }
            };
        }
    }

    /** Broken: the probability test is inverted, so with p = 1 no image is ever cut. */
    public static final class CutoutInvertedProbability extends Cutout {
        public CutoutInvertedProbability() {
            super("cutout-inverted-p", true, false);
        }
    }

    /** Broken: reads H from axis 2 and W from axis 1 of the NHWC features. */
    public static final class CutoutSwappedAxes extends Cutout {
        public CutoutSwappedAxes() {
            super("cutout-swapped-axes", false, true);
        }
    }

    /** Correct, penalty only: the confidence penalty β·Σ p log p (Pereyra et al. 2017); transforms no batch. */
    public static final class ConfidencePenalty implements RegularizerFactory {
        @Override
        public String id() {
            return "confidence";
        }

        @Override
        public String description() {
            return "Confidence penalty: beta times the negative entropy of the prediction.";
        }

        @Override
        public Regularizer create(Params params) {
            return new Regularizer() {
                @Override
                public List<LossTerm> define(org.camloss.api.LossContext ctx) {
                    SDVariable logp = LossMath.logSoftmax(ctx.outputs().logits());
                    return List.of(LossTerm.of(
                            "confidence",
                            ctx.sameDiff().math().exp(logp).mul(logp).sum(1).mean(),
                            0.1));
                }
            };
        }
    }

    /**
     * A regularizer that mixes each sample's target with the reversed batch's, 3/4 own and 1/4 the partner's, and the
     * images likewise, and declares per-pixel targets: every pixel 3/4 from the own image and 1/4 from the partner
     * (correct), or with the shares swapped ({@code swappedShares}: the pixel targets then average to 1/4 own).
     */
    public static class RegionalMix implements RegularizerFactory {
        private final String id;
        private final boolean swappedShares;

        /** Correct. */
        public RegionalMix() {
            this("regional-mix", false);
        }

        RegionalMix(String id, boolean swappedShares) {
            this.id = id;
            this.swappedShares = swappedShares;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "Mixes every image and target with the reversed batch's, 3/4 to 1/4, with per-pixel targets.";
        }

        @Override
        public Regularizer create(Params params) {
            return new Regularizer() {
                @Override
                public TargetEffect targetEffect() {
                    return TargetEffect.REGIONAL;
                }

                @Override
                public Batch apply(Batch batch, RandomGenerator rng) {
                    INDArray x = batch.features();
                    INDArray q = batch.targets();
                    int n = (int) x.size(0);
                    int[] reversed = new int[n];
                    for (int i = 0; i < n; i++) {
                        reversed[i] = n - 1 - i;
                    }
                    INDArray qp = org.nd4j.linalg.factory.Nd4j.pullRows(q, 1, reversed);
                    INDArray xp = org.nd4j.linalg.factory.Nd4j.pullRows(x.reshape(n, x.length() / n), 1, reversed)
                            .reshape(x.shape());
                    INDArray weights = org.nd4j.linalg.factory.Nd4j.zeros(q.dataType(), n, x.size(1), x.size(2), 2);
                    double own = swappedShares ? 0.25 : 0.75;
                    weights.get(all(), all(), all(), point(0)).assign(own);
                    weights.get(all(), all(), all(), point(1)).assign(1 - own);
                    return new Batch(
                            x.mul(0.75).addi(xp.mul(0.25)),
                            q.mul(0.75).addi(qp.mul(0.25)),
                            java.util.Optional.of(new org.camloss.api.data.RegionalTargets(
                                    weights, org.nd4j.linalg.factory.Nd4j.stack(1, q, qp))));
                }
            };
        }
    }

    /** Broken: its per-pixel targets give the partner 3/4, so they do not average to the targets. */
    public static final class RegionalMixSwappedShares extends RegionalMix {
        public RegionalMixSwappedShares() {
            super("regional-mix-swapped", true);
        }
    }

    /** Broken: smooths the targets towards the uniform distribution but declares that it keeps them. */
    public static final class SmoothingDeclaredKeeps implements RegularizerFactory {
        @Override
        public String id() {
            return "smoothing-declared-keeps";
        }

        @Override
        public String description() {
            return "Label smoothing that says it leaves the targets alone.";
        }

        @Override
        public Regularizer create(Params params) {
            return new Regularizer() {
                @Override
                public TargetEffect targetEffect() {
                    return TargetEffect.KEEPS;
                }

                @Override
                public Batch apply(Batch batch, RandomGenerator rng) {
                    batch.targets().muli(0.9).addi(0.1 / batch.targets().size(1));
                    return batch;
                }
            };
        }
    }

    /**
     * Stochastic depth with survival {@code p_last} at the last block; at its default 1 it never drops a branch, so
     * it asks for something that changes nothing (broken at the default, correct at 0.5).
     */
    public static final class StochasticDepth implements RegularizerFactory {
        @Override
        public String id() {
            return "stochastic-depth";
        }

        @Override
        public String description() {
            return "Stochastic depth of residual branches.";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(ParamSpec.ofDouble(
                    "p_last", 1.0, org.camloss.api.Range.openClosed(0, 1), "Survival of the last block."));
        }

        @Override
        public Regularizer create(Params params) {
            NetworkRegularization asked =
                    NetworkRegularization.residual(ResidualDrop.stochasticDepth(params.getDouble("p_last")));
            return new Regularizer() {
                @Override
                public NetworkRegularization network() {
                    return asked;
                }

                @Override
                public TargetEffect targetEffect() {
                    return TargetEffect.KEEPS;
                }
            };
        }
    }

    // ---- backbones ----

    /** The ways {@link PlainCnn} can be broken. */
    enum Break {
        NONE,
        DL4J_BN_WITH_ACTIVATION,
        DL4J_CONV_WITH_ACTIVATION,
        WRONG_CHANNELS,
        WRONG_STRIDE,
        CLAIMS_STOCHASTIC_DEPTH
    }

    /**
     * The trial's plain CNN: four blocks conv 3×3 → BN → ReLU of widths w, 2w, 2w, 4w and strides 1, 2, 1, 2 (4w
     * channels, stride 4), built with {@link Layers} when correct.
     */
    public static class PlainCnn implements BackboneFactory {
        private final String id;
        private final Break broken;

        /** Correct. */
        public PlainCnn() {
            this("plain-cnn", Break.NONE);
        }

        PlainCnn(String id, Break broken) {
            this.id = id;
            this.broken = broken;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "A plain CNN: four conv-BN-ReLU blocks.";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(ParamSpec.ofInt("width", 4, 1, 512, "Channels of the first block."));
        }

        @Override
        public Backbone create(Params params) {
            int w = params.getInt("width");
            int[] widths = {w, 2 * w, 2 * w, 4 * w};
            int[] strides = {1, 2, 1, 2};
            String last = broken == Break.DL4J_CONV_WITH_ACTIVATION ? "conv4" : "conv4_bn";
            return new Backbone() {
                @Override
                public BackboneInfo info() {
                    int channels = broken == Break.WRONG_CHANNELS ? 3 * w : 4 * w;
                    int stride = broken == Break.WRONG_STRIDE ? 2 : 4;
                    return new BackboneInfo(channels, stride, List.of(new BackboneInfo.Stage(last, channels, stride)));
                }

                @Override
                public java.util.Set<NetworkRegularization.Kind> regularizations() {
                    return broken == Break.CLAIMS_STOCHASTIC_DEPTH
                            ? java.util.Set.of(NetworkRegularization.Kind.STOCHASTIC_DEPTH)
                            : java.util.Set.of();
                }

                @Override
                public String build(BackboneContext ctx) {
                    Layers l = new Layers(ctx);
                    String x = ctx.input();
                    int in = ctx.shape().channels();
                    for (int i = 0; i < 4; i++) {
                        String name = "conv" + (i + 1);
                        switch (broken) {
                            case DL4J_BN_WITH_ACTIVATION -> {
                                String conv = l.conv(name + "_conv", x, in, widths[i], 3, strides[i]);
                                ctx.graph()
                                        .addLayer(
                                                name + "_bn",
                                                new BatchNormalization.Builder()
                                                        .nOut(widths[i])
                                                        .activation(Activation.RELU)
                                                        .dataFormat(ctx.format())
                                                        .build(),
                                                conv);
                                x = name + "_bn";
                            }
                            case DL4J_CONV_WITH_ACTIVATION -> {
                                ctx.graph()
                                        .addLayer(
                                                name,
                                                new ConvolutionLayer.Builder(
                                                                new int[] {3, 3}, new int[] {strides[i], strides[i]})
                                                        .nOut(widths[i])
                                                        .convolutionMode(ConvolutionMode.Same)
                                                        .activation(Activation.RELU)
                                                        .dataFormat(ctx.format())
                                                        .build(),
                                                x);
                                x = name;
                            }
                            default -> x = l.convBnAct(name, x, in, widths[i], 3, strides[i], Activation.RELU);
                        }
                        in = widths[i];
                    }
                    return x;
                }
            };
        }
    }

    /** Broken: DL4J's BatchNormalization given the ReLU and the activation layer removed (DL4J ignores it). */
    public static final class Dl4jBnWithActivation extends PlainCnn {
        public Dl4jBnWithActivation() {
            super("dl4j-bn-with-activation", Break.DL4J_BN_WITH_ACTIVATION);
        }
    }

    /** Broken: DL4J's ConvolutionLayer with the ReLU, no batch norm (wrong weight gradients under oneDNN). */
    public static final class Dl4jConvWithActivation extends PlainCnn {
        public Dl4jConvWithActivation() {
            super("dl4j-conv-with-activation", Break.DL4J_CONV_WITH_ACTIVATION);
        }
    }

    /** Broken: declares 3w channels instead of 4w (in the info and the last stage). */
    public static final class WrongChannels extends PlainCnn {
        public WrongChannels() {
            super("wrong-channels", Break.WRONG_CHANNELS);
        }
    }

    /** Broken: declares that it applies stochastic depth, but has no residual branches and ignores the request. */
    public static final class ClaimsStochasticDepth extends PlainCnn {
        public ClaimsStochasticDepth() {
            super("claims-stochastic-depth", Break.CLAIMS_STOCHASTIC_DEPTH);
        }
    }

    /** Broken: declares stride 2 instead of 4. */
    public static final class WrongStride extends PlainCnn {
        public WrongStride() {
            super("wrong-stride", Break.WRONG_STRIDE);
        }
    }
}
