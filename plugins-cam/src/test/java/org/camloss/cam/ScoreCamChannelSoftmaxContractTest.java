package org.camloss.cam;

import java.util.Map;
import org.camloss.api.cam.CamMethodFactory;
import org.camloss.testkit.CamMethodContract;

class ScoreCamChannelSoftmaxContractTest extends CamMethodContract {
    @Override
    protected CamMethodFactory factory() {
        return new ScoreCamFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("weighting", "channel-softmax");
    }
}
