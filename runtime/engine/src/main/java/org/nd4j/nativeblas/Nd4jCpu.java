package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim that re-enables DL4J's oneDNN layer helpers on ND4J 1.0.0-M2.1.
 *
 * <p>DL4J's {@code BaseMKLDNNHelper.mklDnnEnabled()} reflects on
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()}, but in M2.1 that class
 * moved to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and the method became
 * {@code isUseONEDNN()}. The lookup fails silently and every helper is dropped, which makes training
 * about 6× slower. This class restores the old name and forwards to the new one by reflection (so it
 * is harmless on the CUDA backend, where it answers false).
 */
public final class Nd4jCpu {
    private Nd4jCpu() {}

    /** Forwarding stand-in for the old {@code Nd4jCpu.Environment}. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();
        private final Object delegate;
        private final Method isUseOneDnn;

        private Environment() {
            Object d = null;
            Method m = null;
            try {
                Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                d = env.getMethod("getInstance").invoke(null);
                m = env.getMethod("isUseONEDNN");
            } catch (ReflectiveOperationException | LinkageError e) {
                d = null;
                m = null;
            }
            this.delegate = d;
            this.isUseOneDnn = m;
        }

        /** The singleton. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether the native CPU backend has oneDNN enabled. */
        public boolean isUseMKLDNN() {
            if (delegate == null) {
                return false;
            }
            try {
                return (Boolean) isUseOneDnn.invoke(delegate);
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
    }
}
