package org.camloss.cam;

import org.camloss.api.cam.CamMethodFactory;
import org.camloss.testkit.CamMethodContract;

class GradCamPlusPlusContractTest extends CamMethodContract {
    @Override
    protected CamMethodFactory factory() {
        return new GradCamPlusPlusFactory();
    }
}
