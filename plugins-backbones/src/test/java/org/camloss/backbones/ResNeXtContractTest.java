package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code resnext} (ResNeXt-11, 4×2d, outputs 16/32/64) passes the backbone contract. */
class ResNeXtContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new ResNeXtFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 11, "cardinality", 4, "base_width", 2, "width", 0.0625);
    }
}
