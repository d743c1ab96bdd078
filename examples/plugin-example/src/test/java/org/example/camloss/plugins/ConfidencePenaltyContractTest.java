package org.example.camloss.plugins;

import org.camloss.api.RegularizerFactory;
import org.camloss.testkit.RegularizerContract;

/** A plugin author's whole test suite: extend the kit's contract for the plugin's kind. */
class ConfidencePenaltyContractTest extends RegularizerContract {
    @Override
    protected RegularizerFactory factory() {
        return new ConfidencePenaltyFactory();
    }
}
