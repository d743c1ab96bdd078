package org.camloss.cam;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.cam.Bilinear;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMath;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code score-cam}: Wang et al., "Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks"
 * (CVPR Workshops 2020). Each channel's map A_k is upsampled to the image (bilinear, {@code align_corners=false}),
 * min-max normalised to a mask H_k in [0, 1], and the image multiplied by it (every input channel, the image as the
 * model takes it); the model's response to that masked image weighs the channel, and the map is
 * ReLU(Σ_k α_k A_k). One forward pass per channel and image, batched.
 *
 * <p>{@code weighting}: {@code probability} (default, the authors' code): α_k = softmax(z(X ∘ H_k))[t], the
 * target's probability for the masked image, a constant channel skipped (α_k = 0); {@code channel-softmax}
 * (pytorch-grad-cam's {@code ScoreCAM}): α = softmax over k of the target logits z(X ∘ H_k)[t], masks normalised with
 * 1e-8 added to the range.
 */
public final class ScoreCamFactory implements CamMethodFactory {
    /** The id. */
    public static final String ID = "score-cam";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Score-CAM (Wang et al. 2020): channels weighted by the model's score for the image masked by each "
                + "upsampled channel; one forward pass per channel, batched.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.ofChoice(
                "weighting",
                "probability",
                List.of("probability", "channel-softmax"),
                "probability: the target's softmax probability for each masked image (the authors' code); "
                        + "channel-softmax: softmax over channels of the target logits (pytorch-grad-cam)."));
    }

    @Override
    public CamMethod create(Params params) {
        boolean probability = params.getString("weighting").equals("probability");
        return new CamMethod() {
            @Override
            public INDArray maps(CamContext context) {
                return scoreCam(context, probability);
            }

            @Override
            public Set<CamInput> requires() {
                return Set.of(CamInput.FORWARD_PASSES);
            }
        };
    }

    private static INDArray scoreCam(CamContext ctx, boolean probability) {
        INDArray a = ctx.activations();
        INDArray x = ctx.images();
        int n = (int) a.size(0);
        int c = (int) a.size(1);
        int h = (int) a.size(2);
        int w = (int) a.size(3);
        int ih = (int) x.size(1);
        int iw = (int) x.size(2);
        int ic = (int) x.size(3);
        float[] acts = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] img = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int[] targets = ctx.targets();
        double[][] alpha = new double[n][c];

        // the (image, channel) pairs that get a forward pass, in chunks of at most batchSize masked images
        List<int[]> pairs = new ArrayList<>();
        float[][] masks = new float[n * c][];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                float[] up = upsample(acts, (i * c + k) * h * w, h, w, ih, iw);
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (float v : up) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                if (probability && max == min) {
                    continue; // the authors skip a constant channel
                }
                double range = probability ? max - min : max - min + 1e-8;
                for (int p = 0; p < up.length; p++) {
                    up[p] = (float) ((up[p] - min) / range);
                }
                masks[i * c + k] = up;
                pairs.add(new int[] {i, k});
            }
        }
        int chunk = Math.max(1, ctx.batchSize());
        int pixels = ih * iw;
        for (int from = 0; from < pairs.size(); from += chunk) {
            int to = Math.min(pairs.size(), from + chunk);
            float[] batch = new float[(to - from) * pixels * ic];
            for (int b = from; b < to; b++) {
                int i = pairs.get(b)[0];
                float[] mask = masks[i * c + pairs.get(b)[1]];
                int src = i * pixels * ic;
                int dst = (b - from) * pixels * ic;
                for (int p = 0; p < pixels; p++) {
                    float m = mask[p];
                    for (int ch = 0; ch < ic; ch++) {
                        batch[dst + p * ic + ch] = img[src + p * ic + ch] * m;
                    }
                }
            }
            INDArray logits = ctx.logits(Nd4j.create(batch, new long[] {to - from, ih, iw, ic}, 'c')
                            .castTo(x.dataType()))
                    .castTo(DataType.DOUBLE);
            for (int b = from; b < to; b++) {
                int i = pairs.get(b)[0];
                int k = pairs.get(b)[1];
                double[] z = logits.getRow(b - from).toDoubleVector();
                alpha[i][k] = probability ? softmax(z)[targets[i]] : z[targets[i]];
            }
        }
        if (!probability) {
            for (int i = 0; i < n; i++) {
                alpha[i] = softmax(alpha[i]);
            }
        }
        INDArray weights = Nd4j.create(alpha).castTo(a.dataType());
        return CamMath.relu(CamMath.weightedSum(a, weights));
    }

    private static float[] upsample(float[] src, int off, int h, int w, int outH, int outW) {
        float[] out = new float[outH * outW];
        Bilinear.resize(src, off, h, w, out, 0, outH, outW);
        return out;
    }

    /** softmax by log-sum-exp. */
    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = Math.exp(z[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < z.length; i++) {
            out[i] /= sum;
        }
        return out;
    }
}
