package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code resnet} (ResNet-18, CIFAR stem, widths 8/16/32/64) passes the backbone contract. */
class ResNetContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new ResNetFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 18, "stem", "cifar", "width", 0.125);
    }
}
