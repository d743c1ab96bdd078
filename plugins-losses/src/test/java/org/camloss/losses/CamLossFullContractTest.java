package org.camloss.losses;

import java.util.Map;
import org.camloss.api.LossFactory;
import org.camloss.testkit.LossContract;

class CamLossFullContractTest extends LossContract {
    @Override
    protected LossFactory factory() {
        return new CamLossFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("alpha", 2.0, "routing", "full");
    }
}
