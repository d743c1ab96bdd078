package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.Params;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.ResidualDrop;
import org.camloss.testkit.RegularizerContract;
import org.junit.jupiter.api.Test;

/** {@code stochastic-depth}: the contract and what it asks. */
class StochasticDepthContractTest extends RegularizerContract {
    @Override
    protected RegularizerFactory factory() {
        return new StochasticDepthFactory();
    }

    @Test
    void asksForStochasticDepthOfTheResidualBranches() {
        var r = factory().create(Params.resolve(factory().params(), Map.of("p_last", 0.8)));
        assertEquals(NetworkRegularization.residual(ResidualDrop.stochasticDepth(0.8)), r.network());
    }
}
