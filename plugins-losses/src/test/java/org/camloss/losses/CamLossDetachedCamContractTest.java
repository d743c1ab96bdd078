package org.camloss.losses;

import java.util.Map;
import java.util.Set;
import org.camloss.api.LossFactory;
import org.camloss.testkit.LossContract;

class CamLossDetachedCamContractTest extends LossContract {
    @Override
    protected LossFactory factory() {
        return new CamLossFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("alpha", 2.0, "routing", "detached-cam");
    }

    /**
     * With the CAM as a constant target, only the bias gets the true gradient of the score; the
     * routing's gradients are checked against the reference vectors instead.
     */
    @Override
    protected Set<String> paramsWithoutTrueGradient() {
        return Set.of("head_W", "conv_W", "conv_b");
    }
}
