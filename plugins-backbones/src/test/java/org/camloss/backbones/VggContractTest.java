package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code vgg} (VGG-11 at widths 8/16/32/64/64, without the last pool) passes the backbone contract. */
class VggContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new VggFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 11, "width", 0.125, "last_pool", false);
    }
}
