package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code resnet} (ResNet-50, ImageNet stem, widths 4/8/16/32 × 4) passes the backbone contract. */
class ResNetBottleneckContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new ResNetFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 50, "stem", "imagenet", "width", 0.0625);
    }
}
