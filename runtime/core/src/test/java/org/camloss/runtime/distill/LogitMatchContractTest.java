package org.camloss.runtime.distill;

import org.camloss.api.DistillerFactory;
import org.camloss.testkit.DistillerContract;

/** The distiller contract on the test distiller (it is not in META-INF/services, so that check is skipped). */
class LogitMatchContractTest extends DistillerContract {
    @Override
    protected DistillerFactory factory() {
        return new LogitMatchDistillerFactory();
    }

    @Override
    protected boolean registeredWithServiceLoader() {
        return false;
    }
}
