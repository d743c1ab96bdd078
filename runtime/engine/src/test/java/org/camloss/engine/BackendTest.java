package org.camloss.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

class BackendTest {
    @Test
    void autoThreadsAreOmpNumThreadsElseEveryCore() {
        String omp = System.getenv("OMP_NUM_THREADS");
        int expected = omp != null && omp.matches("\\d+") && Integer.parseInt(omp) > 0
                ? Integer.parseInt(omp)
                : Runtime.getRuntime().availableProcessors();
        assertEquals(expected, Backend.autoThreads());
        assertTrue(Backend.autoThreads() >= 1);
    }

    @Test
    void setThreadsReachesLibnd4jOpenBlasAndOpenMp() {
        int before = Backend.threads();
        int[] libsBefore = Backend.libraryThreads();
        try {
            Backend.setThreads(1);
            assertEquals(1, Backend.threads());
            assertArrayEquals(new int[] {1, 1}, Backend.libraryThreads());
            Backend.setThreads(0); // leaves the setting
            assertEquals(1, Backend.threads());
            // above the pool's start-up size: lowered to it, for all three alike
            int pool = Nd4j.getEnvironment().maxThreads();
            Backend.setThreads(pool + 5);
            assertEquals(pool, Backend.threads());
            assertArrayEquals(new int[] {pool, pool}, Backend.libraryThreads());
        } finally {
            Backend.setThreads(before);
            Nd4j.factory().blas().setMaxThreads(libsBefore[0]);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(libsBefore[1]);
        }
    }

    @Test
    void helpersAreEnabledAndTheBackendIsNamed() {
        Backend.init();
        assertTrue(Backend.helpersEnabled());
        assertEquals("CPU", Backend.name());
        assertTrue(Backend.describe().containsKey("onednn_helpers"));
    }
}
