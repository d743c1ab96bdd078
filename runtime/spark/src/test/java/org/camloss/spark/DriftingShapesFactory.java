package org.camloss.spark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.camloss.api.DatasetFactory;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.data.Dataset;
import org.camloss.datasets.ShapesDatasetFactory;

/**
 * A dataset plugin that gives other images every time it is made from the same node (shapes with a new seed each
 * time), as a plugin reading a changing source or drawing from an unseeded generator would: the spark engine must
 * refuse it, because its executors make the dataset again and would select other images by the driver's indices.
 */
public final class DriftingShapesFactory implements DatasetFactory {
    private static final AtomicInteger MADE = new AtomicInteger();
    private final ShapesDatasetFactory shapes = new ShapesDatasetFactory();

    @Override
    public String id() {
        return "drifting-shapes";
    }

    @Override
    public String description() {
        return "shapes with another seed each time it is made (a test of the spark engine)";
    }

    @Override
    public List<ParamSpec> params() {
        return shapes.params();
    }

    @Override
    public Dataset create(Params params) {
        Map<String, Object> raw = new LinkedHashMap<>(params.asMap());
        raw.put("seed", 1000 + MADE.incrementAndGet());
        return shapes.create(Params.check(shapes.params(), raw).params());
    }
}
