package org.camloss.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

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

    /**
     * Threads ND4J's own parallel loops use ({@code maxMasterThreads}: {@link #setThreads} sets it; libnd4j
     * 1.0.0-M2.1's {@code maxThreads} stays at its start-up value whatever is set).
     */
    public static int threads() {
        return Nd4j.getEnvironment().maxMasterThreads();
    }

    /**
     * The thread count when the config says 0 (auto): {@code OMP_NUM_THREADS} if set to a positive number, else every
     * core, whatever the batch size. Until 2026-11-30 batches of at most 32 ran on one thread (367 against 266 img/s
     * at batch 32 on 2 cores, before oneDNN's convolutions and batch norm); since issue 16's changes two threads are
     * faster at every batch measured (`camloss bench --threads 1,2 --no-torch`, 5 rounds, training img/s, one
     * thread → two: ResNet-20 32×32×3 329 → 417 at batch 8, 418 → 605 at 16, 503 → 767 at 32; ResNet-8 28×28×1 952 →
     * 1098, 1352 → 1755, 1674 → 2331; docs/performance.md, "Thread policy").
     */
    public static int autoThreads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp != null && omp.matches("\\d+") && Integer.parseInt(omp) > 0) {
            return Integer.parseInt(omp);
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Sets the threads of the three thread pools a step uses (0 leaves the default: {@code OMP_NUM_THREADS} or all
     * cores): libnd4j's parallel loops (process-wide), OpenBLAS's matrix products (process-wide) and OpenMP, which
     * runs oneDNN's convolutions (libnd4j's and camloss's own; OpenMP's setting holds for the calling thread and the
     * parallel regions it starts, so call it on the thread that trains). libnd4j 1.0.0-M2.1's
     * {@code Environment.setMaxThreads} alone changes none of them (measured 2026-11-30 on 2 cores: a 1500² matrix
     * product and a 64→64 3×3 convolution at batch 128 kept their two-thread times; with all three set to 1 they took
     * the times of {@code OMP_NUM_THREADS=1}). libnd4j's pool is sized at start-up ({@code OMP_NUM_THREADS}, else
     * all cores), so a count above that size is lowered to it, for all three alike: to run with more threads, set
     * {@code OMP_NUM_THREADS} before the JVM starts.
     */
    public static void setThreads(int threads) {
        if (threads > 0) {
            int n = Math.min(threads, Nd4j.getEnvironment().maxThreads());
            Nd4j.getEnvironment().setMaxMasterThreads(n);
            Nd4j.factory().blas().setMaxThreads(n);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        }
    }

    /** OpenBLAS's thread count and OpenMP's for the calling thread, for tests and provenance. */
    static int[] libraryThreads() {
        return new int[] {
            Nd4j.factory().blas().getMaxThreads(),
            NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads()
        };
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
