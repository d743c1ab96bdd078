package org.camloss.cam;

import org.camloss.api.cam.CamMethodFactory;
import org.camloss.testkit.CamMethodContract;

class ScoreCamContractTest extends CamMethodContract {
    @Override
    protected CamMethodFactory factory() {
        return new ScoreCamFactory();
    }
}
