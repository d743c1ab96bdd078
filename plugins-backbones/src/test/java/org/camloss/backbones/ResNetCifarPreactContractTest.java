package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code resnet-cifar} with option-A shortcuts and pre-activation blocks passes the backbone contract. */
class ResNetCifarPreactContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new ResNetCifarFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 8, "width", 0.5, "shortcut", "A", "preact", true);
    }
}
