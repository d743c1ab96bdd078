package org.camloss.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's backend and the process-wide switches camloss may set on it: DL4J's oneDNN layer helpers (off by default in
 * DL4J 1.0.0-M2.1; see {@code docs/dl4j-notes.md}) and ND4J's thread count; and a description of the backend for
 * provenance. Every method that changes process-wide state says so.
 */
public final class Backend {
    /** DL4J's system property that disables layer helpers; it defaults to true in 1.0.0-M2.1. */
    public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";

    private Backend() {}

    /**
     * Enables DL4J's oneDNN layer helpers (process-wide: sets the system property {@value #HELPERS_DISABLE} to
     * {@code false}) unless the user set that property, then loads the backend. The runtime as the command line runs
     * it, and the contract kit.
     */
    public static void init() {
        enableLayerHelpers();
        Nd4j.getBackend();
    }

    /**
     * Sets the system property {@value #HELPERS_DISABLE} to {@code false} unless it is set already (process-wide; DL4J
     * reads it when it creates a layer's helper, so layers built afterwards get oneDNN helpers).
     */
    public static void enableLayerHelpers() {
        if (System.getProperty(HELPERS_DISABLE) == null) {
            System.setProperty(HELPERS_DISABLE, "false");
        }
    }

    /** Whether the helpers are enabled. */
    public static boolean helpersEnabled() {
        return "false".equals(System.getProperty(HELPERS_DISABLE));
    }

    /** Backend name, e.g. {@code CPU} or {@code CUDA}. */
    public static String name() {
        String cls = Nd4j.getBackend().getClass().getSimpleName();
        if (cls.contains("Cuda") || cls.contains("JCublas")) {
            return "CUDA";
        }
        if (cls.contains("Cpu")) {
            return "CPU";
        }
        return cls;
    }

    /** OpenMP threads ND4J uses. */
    public static int threads() {
        return Nd4j.getEnvironment().maxThreads();
    }

    /**
     * The thread count for a batch size when the config says 0 (auto): one thread for batches of at most 32
     * (measured faster on 2 cores: 367 vs 266 img/s at batch 32), otherwise OMP_NUM_THREADS if set, else all
     * cores.
     */
    public static int autoThreads(int batchSize) {
        if (batchSize <= 32) {
            return 1;
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp != null && omp.matches("\\d+") && Integer.parseInt(omp) > 0) {
            return Integer.parseInt(omp);
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Sets the OpenMP threads ND4J uses, process-wide (0 leaves the default: OMP_NUM_THREADS or all cores).
     */
    public static void setThreads(int threads) {
        if (threads > 0) {
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
        }
    }

    /** Facts for provenance. */
    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", name());
        m.put("backend_class", Nd4j.getBackend().getClass().getName());
        m.put("threads", threads());
        m.put("onednn_helpers", helpersEnabled());
        m.put("omp_num_threads", System.getenv("OMP_NUM_THREADS"));
        return m;
    }
}
