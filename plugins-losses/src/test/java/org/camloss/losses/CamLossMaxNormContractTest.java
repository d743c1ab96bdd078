package org.camloss.losses;

import java.util.Map;
import org.camloss.api.LossFactory;
import org.camloss.testkit.LossContract;

/** CAM-loss with Φ = max normalisation, full routing (the kernel's other normalisation and W gradient). */
class CamLossMaxNormContractTest extends LossContract {
    @Override
    protected LossFactory factory() {
        return new CamLossFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("alpha", 1.5, "routing", "full", "normalization", "max");
    }
}
