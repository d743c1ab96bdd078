package org.camloss.datasets;

import java.util.Map;
import org.camloss.api.DatasetFactory;
import org.camloss.testkit.DatasetContract;

class ShapesContractTest extends DatasetContract {
    @Override
    protected DatasetFactory factory() {
        return new ShapesDatasetFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("train", 40, "test", 20, "size", 16);
    }
}
