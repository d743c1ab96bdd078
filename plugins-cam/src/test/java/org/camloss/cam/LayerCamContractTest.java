package org.camloss.cam;

import org.camloss.api.cam.CamMethodFactory;
import org.camloss.testkit.CamMethodContract;

class LayerCamContractTest extends CamMethodContract {
    @Override
    protected CamMethodFactory factory() {
        return new LayerCamFactory();
    }
}
