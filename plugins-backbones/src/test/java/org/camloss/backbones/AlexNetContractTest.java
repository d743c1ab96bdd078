package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code alexnet} (AlexNet at a quarter of its widths) passes the backbone contract. */
class AlexNetContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new AlexNetFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("width", 0.25);
    }
}
