package org.example.camloss.plugins;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneContext;
import org.camloss.api.BackboneFactory;
import org.camloss.api.BackboneInfo;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.layers.Layers;
import org.nd4j.linalg.activations.Activation;

/**
 * A plain CNN: four conv3×3–BN–ReLU blocks of widths w, 2w, 2w, 4w and strides 1, 2, 1, 2 (total stride 4), built
 * with camloss's {@link Layers} helper, so its convolutions and batch norms are the correct, fast ones and the ReLU
 * is really applied. Stages: the output of blocks 2 and 4.
 */
public final class PlainCnnFactory implements BackboneFactory {
    @Override
    public String id() {
        return "plain-cnn";
    }

    @Override
    public String description() {
        return "Four conv3x3-BN-ReLU blocks of widths w/2w/2w/4w, total stride 4.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.ofInt("width", 16, 1, 512, "Width w of the first block."));
    }

    @Override
    public Backbone create(Params params) {
        int w = params.getInt("width");
        return new Backbone() {
            @Override
            public BackboneInfo info() {
                return new BackboneInfo(4 * w, 4, List.of(new BackboneInfo.Stage("b2_bn", 2 * w, 2),
                        new BackboneInfo.Stage("b4_bn", 4 * w, 4)));
            }

            @Override
            public String build(BackboneContext ctx) {
                Layers l = new Layers(ctx);
                int in = ctx.shape().channels();
                String x = l.convBnAct("b1", ctx.input(), in, w, 3, 1, Activation.RELU);
                x = l.convBnAct("b2", x, w, 2 * w, 3, 2, Activation.RELU);
                x = l.convBnAct("b3", x, 2 * w, 2 * w, 3, 1, Activation.RELU);
                return l.convBnAct("b4", x, 2 * w, 4 * w, 3, 2, Activation.RELU);
            }
        };
    }
}
