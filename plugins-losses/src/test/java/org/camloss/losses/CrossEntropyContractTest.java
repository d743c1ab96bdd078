package org.camloss.losses;

import org.camloss.api.LossFactory;
import org.camloss.testkit.LossContract;

class CrossEntropyContractTest extends LossContract {
    @Override
    protected LossFactory factory() {
        return new CrossEntropyLossFactory();
    }
}
