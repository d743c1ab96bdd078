package org.camloss.losses;

import java.util.List;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.data.Batch;

/**
 * {@code label-smoothing} (Szegedy et al. 2016): targets q ← (1 − ε)·q + ε/K. With CAM-loss the target CAM
 * becomes the matching mix of class CAMs.
 */
public final class LabelSmoothingFactory implements RegularizerFactory {
    @Override
    public String id() {
        return "label-smoothing";
    }

    @Override
    public String description() {
        return "Label smoothing: mixes every target with the uniform distribution, q <- (1 - epsilon) q + epsilon / K.";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.ofDouble(
                "epsilon", 0.1, 0.0, 1.0, "Smoothing ε: the mass moved to the uniform distribution."));
    }

    @Override
    public Regularizer create(Params params) {
        double eps = params.getDouble("epsilon");
        return new Regularizer() {
            @Override
            public Batch apply(Batch batch, java.util.random.RandomGenerator rng) {
                long k = batch.targets().size(1);
                batch.targets().muli(1.0 - eps).addi(eps / k);
                return batch;
            }
        };
    }
}
