package org.camloss.losses;

import java.util.Map;
import java.util.Set;
import org.camloss.api.LossFactory;
import org.camloss.testkit.LossContract;

class CamLossWeightDetachedContractTest extends LossContract {
    @Override
    protected LossFactory factory() {
        return new CamLossFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("alpha", 2.0, "routing", "weight-detached");
    }

    /** The CAM term does not reach the classifier weights by design; everything else is the true gradient. */
    @Override
    protected Set<String> paramsWithoutTrueGradient() {
        return Set.of("head_W");
    }
}
