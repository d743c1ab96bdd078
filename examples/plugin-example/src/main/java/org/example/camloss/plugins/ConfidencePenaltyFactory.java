package org.example.camloss.plugins;

import java.util.List;
import org.camloss.api.LossContext;
import org.camloss.api.LossTerm;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.loss.LossMath;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A third-party plugin, as a plugin author would write it: the confidence penalty of Pereyra et al. (2017),
 * −β · H(softmax(z)), added as a term named {@code confidence}. It is registered in
 * {@code META-INF/services/org.camloss.api.RegularizerFactory} and tested with the camloss test kit's
 * {@code RegularizerContract}; put the jar on the classpath and configs can name it:
 * {@code regularizers: [ { id: confidence-penalty, params: { beta: 0.1 } } ]}.
 */
public final class ConfidencePenaltyFactory implements RegularizerFactory {
    @Override
    public String id() {
        return "confidence-penalty";
    }

    @Override
    public String description() {
        return "Confidence penalty (Pereyra et al. 2017): subtracts beta times the entropy of the prediction.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.ofDouble("beta", 0.1, 0.0, 10.0, "Weight β of the negative entropy."));
    }

    @Override
    public Regularizer create(Params params) {
        double beta = params.getDouble("beta");
        return new Regularizer() {
            @Override
            public List<LossTerm> define(LossContext ctx) {
                SameDiff sd = ctx.sameDiff();
                SDVariable logp = LossMath.logSoftmax(ctx.outputs().logits()); // stable, unlike sd.nn().logSoftmax
                SDVariable negEntropy = sd.math().exp(logp).mul(logp).sum(1).mean();
                return List.of(LossTerm.of("confidence", negEntropy, beta));
            }
        };
    }
}
