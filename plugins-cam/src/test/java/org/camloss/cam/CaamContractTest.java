package org.camloss.cam;

import org.camloss.api.cam.CamMethodFactory;
import org.camloss.testkit.CamMethodContract;

class CaamContractTest extends CamMethodContract {
    @Override
    protected CamMethodFactory factory() {
        return new CaamFactory();
    }

    /** The CAAM is the same whatever the target (the sum of the channels). */
    @Override
    protected boolean classDiscriminative() {
        return false;
    }
}
