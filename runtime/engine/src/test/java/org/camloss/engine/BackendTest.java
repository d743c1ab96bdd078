package org.camloss.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendTest {
    @Test
    void smallBatchesRunOnOneThread() {
        assertEquals(1, Backend.autoThreads(32));
        assertTrue(Backend.autoThreads(128) >= 1);
    }

    @Test
    void helpersAreEnabledAndTheBackendIsNamed() {
        Backend.init();
        assertTrue(Backend.helpersEnabled());
        assertEquals("CPU", Backend.name());
        assertTrue(Backend.describe().containsKey("onednn_helpers"));
    }
}
