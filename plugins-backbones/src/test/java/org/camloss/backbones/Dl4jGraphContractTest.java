package org.camloss.backbones;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** {@code dl4j-graph} (the zoo's SimpleCNN cut at layer18, 64 channels, stride 4) passes the backbone contract. */
class Dl4jGraphContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new Dl4jGraphFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("zoo", "simple-cnn", "vertex", "layer18");
    }
}
