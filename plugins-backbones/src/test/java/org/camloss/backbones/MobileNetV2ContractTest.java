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

    /**
     * 0.01: with its ReLU6 activations in effect (DL4J's batch norm used to drop them), this net's loss on the
     * fixed 8-image batch rises over 8 steps at 0.05, with camloss's batch norm and with DL4J's batch norm
     * followed by an activation layer alike.
     */
    @Override
    protected double trainingLearningRate() {
        return 0.01;
    }
}
