package org.camloss.losses;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Range;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.ResidualDrop;
import org.camloss.api.TargetEffect;

/**
 * {@code shakedrop} (Yamada et al. 2019, "ShakeDrop Regularization for Deep Residual Learning"): in training, residual
 * block l of L scales its branch by b + α − b·α in the forward pass and by b + β − b·β in the backward pass, with
 * b ~ Bernoulli(p_l), p_l = 1 − (l / L)·(1 − p_L) (the paper's linear decay rule), α ~ U[alpha_min, alpha_max] and
 * β ~ U[beta_min, beta_max], drawn per sample; at inference the branch is scaled by E[b + α − b·α]. For residual
 * backbones (pyramidnet, resnet-cifar, resnet, resnext, wide-resnet); others refuse it. See {@link ResidualDrop}.
 */
public final class ShakeDropFactory implements RegularizerFactory {
    /** The id. */
    public static final String ID = "shakedrop";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "ShakeDrop (Yamada et al. 2019): residual branches scaled by b + alpha - b alpha forward and b + beta - b "
                + "beta backward, b ~ Bernoulli(p_l) with the linear p_L rule, per sample.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.ofDouble(
                        "p_last",
                        0.5,
                        Range.openClosed(0, 1),
                        "p_L: probability that the last block's branch is left unperturbed (b = 1); the paper: 0.5."),
                ParamSpec.ofDouble("alpha_min", -1.0, -10.0, 10.0, "Lower end of alpha's range (the paper: -1)."),
                ParamSpec.ofDouble("alpha_max", 1.0, -10.0, 10.0, "Upper end of alpha's range (the paper: 1)."),
                ParamSpec.ofDouble("beta_min", 0.0, -10.0, 10.0, "Lower end of beta's range (the paper: 0)."),
                ParamSpec.ofDouble("beta_max", 1.0, -10.0, 10.0, "Upper end of beta's range (the paper: 1)."));
    }

    @Override
    public List<ParamProblem> validate(Params params) {
        List<ParamProblem> problems = new ArrayList<>();
        for (String v : List.of("alpha", "beta")) {
            double lo = params.getDouble(v + "_min");
            double hi = params.getDouble(v + "_max");
            if (lo > hi) {
                problems.add(new ParamProblem(v + "_min", "must be at most " + v + "_max (" + hi + "), found " + lo));
            }
        }
        return problems;
    }

    @Override
    public Regularizer create(Params params) {
        ParamProblem.throwIfAny(validate(params));
        NetworkRegularization network = NetworkRegularization.residual(ResidualDrop.shakeDrop(
                params.getDouble("p_last"),
                params.getDouble("alpha_min"),
                params.getDouble("alpha_max"),
                params.getDouble("beta_min"),
                params.getDouble("beta_max")));
        return new Regularizer() {
            @Override
            public NetworkRegularization network() {
                return network;
            }

            @Override
            public TargetEffect targetEffect() {
                return TargetEffect.KEEPS;
            }
        };
    }
}
