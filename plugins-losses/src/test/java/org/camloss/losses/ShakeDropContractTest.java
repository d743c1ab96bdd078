package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.ParamProblem;
import org.camloss.api.Params;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.ResidualDrop;
import org.camloss.testkit.RegularizerContract;
import org.junit.jupiter.api.Test;

/** {@code shakedrop}: the contract, what it asks, and its ranges. */
class ShakeDropContractTest extends RegularizerContract {
    @Override
    protected RegularizerFactory factory() {
        return new ShakeDropFactory();
    }

    @Test
    void asksForShakeDropWithThePapersDefaults() {
        var r = factory().create(Params.defaults(factory().params()));
        assertEquals(NetworkRegularization.residual(ResidualDrop.shakeDrop(0.5, -1, 1, 0, 1)), r.network());
    }

    @Test
    void rangesMustNotBeEmpty() {
        Params p = Params.resolve(factory().params(), Map.of("alpha_min", 2.0, "beta_max", -1.0));
        assertEquals(
                List.of(
                        new ParamProblem("alpha_min", "must be at most alpha_max (1.0), found 2.0"),
                        new ParamProblem("beta_min", "must be at most beta_max (-1.0), found 0.0")),
                factory().validate(p));
        assertThrows(IllegalArgumentException.class, () -> factory().create(p));
    }
}
