package org.example.camloss.plugins;

import java.util.Map;
import java.util.Set;
import org.camloss.api.LossFactory;
import org.camloss.testkit.LossContract;

/** The loss contract for the focal loss with its CAM term. */
class FocalLossContractTest extends LossContract {
    @Override
    protected LossFactory factory() {
        return new FocalLossFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("gamma", 2.0, "alpha", 1.0);
    }

    /** The CAM term detaches W (CAM-loss's split update), so W's gradient is not the gradient of the total. */
    @Override
    protected Set<String> paramsWithoutTrueGradient() {
        return Set.of("head_W");
    }
}
