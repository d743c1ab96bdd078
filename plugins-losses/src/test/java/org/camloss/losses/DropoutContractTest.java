package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.Params;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.ResidualDrop;
import org.camloss.api.TargetEffect;
import org.camloss.testkit.RegularizerContract;
import org.junit.jupiter.api.Test;

/** {@code dropout}: the contract (its request changes training on a residual net) and what it asks. */
class DropoutContractTest extends RegularizerContract {
    @Override
    protected RegularizerFactory factory() {
        return new DropoutFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("p", 0.3, "block_p", 0.2);
    }

    @Test
    void asksForDropoutBeforeTheHeadAndInsideBlocks() {
        var r = factory().create(Params.resolve(factory().params(), Map.of("p", 0.3, "block_p", 0.2)));
        assertEquals(new NetworkRegularization(0.3, 0.2, ResidualDrop.NONE), r.network());
        assertEquals(TargetEffect.KEEPS, r.targetEffect());
    }
}
