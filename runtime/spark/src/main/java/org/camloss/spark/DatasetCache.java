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

    /**
     * Makes {@code dataset} the one of {@code spec} in this JVM: in {@code local[N]} the executors run in the driver's
     * JVM, and would otherwise make a second copy beside the driver's (the engine checked that both are equal).
     */
    static synchronized void put(Specs spec, Dataset dataset) {
        key = spec;
        value = dataset;
    }

    /** Drops {@code dataset} if it is the one held (an engine closing lets its job's data go). */
    static synchronized void forget(Dataset dataset) {
        if (value == dataset) {
            key = null;
            value = null;
        }
    }

    static synchronized Dataset get(Specs spec, Supplier<Dataset> make) {
        if (!spec.equals(key)) {
            value = null;
            value = make.get();
            key = spec;
        }
        return value;
    }
}
