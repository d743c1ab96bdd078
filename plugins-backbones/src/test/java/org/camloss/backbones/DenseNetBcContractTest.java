package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code densenet-bc} (DenseNet-BC-22, k = 4) passes the backbone contract. */
class DenseNetBcContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new DenseNetBcFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 22, "growth_rate", 4);
    }
}
