package org.camloss.spark;

import java.util.function.Supplier;
import org.camloss.api.data.Dataset;

/**
 * The dataset plugin of one config node per executor JVM. Spark runs many tasks per epoch in one executor; making the
 * dataset (reading or generating every image) per task would cost more than training. Spark offers no per-executor
 * object other than JVM-wide state, so this holds exactly one dataset, replaced when another node asks.
 */
final class DatasetCache {
    private static Specs key;
    private static Dataset value;

    private DatasetCache() {}

    static synchronized Dataset get(Specs spec, Supplier<Dataset> make) {
        if (!spec.equals(key)) {
            value = null;
            value = make.get();
            key = spec;
        }
        return value;
    }
}
