package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code resnet-cifar} passes the backbone contract (at depth 8, width 0.5). */
class ResNetCifarContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new ResNetCifarFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 8, "width", 0.5);
    }
}
