package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code wide-resnet} (WRN-10-1 with dropout 0.1) passes the backbone contract. */
class WideResNetContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new WideResNetFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 10, "widen", 1, "dropout", 0.1);
    }
}
