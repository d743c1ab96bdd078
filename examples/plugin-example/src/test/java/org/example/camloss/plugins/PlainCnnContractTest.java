package org.example.camloss.plugins;

import java.util.Map;
import org.camloss.api.BackboneFactory;
import org.camloss.testkit.BackboneContract;

/** The backbone contract for the plain CNN, at a small width so the model-level checks stay fast. */
class PlainCnnContractTest extends BackboneContract {
    @Override
    protected BackboneFactory factory() {
        return new PlainCnnFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("width", 4);
    }
}
