package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code mobilenet-v2} (width 0.25, CIFAR stem) passes the backbone contract. */
class MobileNetV2ContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new MobileNetV2Factory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("width", 0.25, "stem", "cifar");
    }
}
