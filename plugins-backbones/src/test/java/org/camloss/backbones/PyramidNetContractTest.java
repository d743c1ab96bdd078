package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code pyramidnet} (depth 14, α = 12, basic blocks) passes the backbone contract. */
class PyramidNetContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new PyramidNetFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("depth", 14, "alpha", 12.0);
    }
}
