package org.camloss.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.camloss.api.layers.FastBatchNormLayer;
import org.camloss.api.layers.FastConvolutionLayer;
import org.camloss.engine.optim.HostGraphUpdater;

/**
 * The {@code camloss.*} system properties that switch one of the fast paths back to DL4J's (escape hatches and the A/B
 * switches of docs/performance.md), checked when the command line starts: the layers read them as "{@code dl4j}
 * (or {@code workspace}, {@code false}) switches off, anything else leaves on", so a misspelt name or value would
 * silently change nothing. A property under {@code camloss.} that is not listed here, or a value not among its
 * choices, stops the command with exit status 2 before it does anything.
 */
final class SwitchProperties {
    /** Each switch with its valid values, the first one the default. */
    static final Map<String, List<String>> SWITCHES = switches();

    /** {@code camloss.*} properties that are not switches: set by the launcher, or read by tests. */
    private static final Set<String> OTHER = Set.of("camloss.home", "camloss.vectors");

    private SwitchProperties() {}

    private static Map<String, List<String>> switches() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put(FastConvolutionLayer.FORWARD_PROPERTY, List.of("onednn", "dl4j"));
        m.put(FastConvolutionLayer.BACKWARD_PROPERTY, List.of("onednn", "dl4j"));
        m.put(org.camloss.engine.conv.DnnlConvolutionForward.WINOGRAD_PROPERTY, List.of("true", "false"));
        m.put(FastBatchNormLayer.PROPERTY, List.of("onednn", "dl4j"));
        m.put(HostGraphUpdater.PROPERTY, List.of("host", "dl4j"));
        m.put(FastConvolutionLayer.OUTPUT_BUFFERS_PROPERTY, List.of("shared", "workspace"));
        m.put(FastConvolutionLayer.FUSE_RESIDUAL_PROPERTY, List.of("true", "false"));
        m.put(org.camloss.engine.head.CamHeadLayer.INFERENCE_PROPERTY, List.of("gemm", "ops"));
        m.put(org.camloss.api.layers.AddReluVertex.SHARED_GRADIENT_PROPERTY, List.of("true", "false"));
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * The problem with the environment variables ND4J reads when it loads, one message; empty when there is none. Only
     * {@code OMP_NUM_THREADS}: set, it must be a positive whole number — libgomp aborts the JVM on {@code 0} and
     * ND4J's loader fails with a stack trace on anything {@code Integer.parseInt} refuses (measured: {@code abc},
     * {@code 4,2}), before any camloss code could say so.
     */
    static Optional<String> environmentProblem(Map<String, String> env) {
        String omp = env.get("OMP_NUM_THREADS");
        if (omp == null || omp.matches("[1-9][0-9]{0,5}")) {
            return Optional.empty();
        }
        return Optional.of("OMP_NUM_THREADS='" + omp + "' is not a positive whole number (the threads of ND4J's"
                + " OpenMP pool, e.g. OMP_NUM_THREADS=2); unset it to use every core");
    }

    /**
     * The problem with {@code properties}' {@code camloss.*} entries, one message naming the property, what is wrong
     * and the valid choices; empty when there is none.
     */
    static Optional<String> problem(Properties properties) {
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            if (!name.startsWith("camloss.") || OTHER.contains(name)) {
                continue;
            }
            List<String> valid = SWITCHES.get(name);
            if (valid == null) {
                return Optional.of("-D" + name + ": unknown camloss switch; the switches are "
                        + String.join(
                                ", ",
                                SWITCHES.keySet().stream()
                                        .map(k -> k + "=" + String.join("|", SWITCHES.get(k)))
                                        .toList()));
            }
            String value = properties.getProperty(name);
            if (!valid.contains(value)) {
                return Optional.of("-D" + name + ": '" + value + "' is not a valid value; choose "
                        + String.join(" or ", valid) + " (" + valid.get(0) + " is the default)");
            }
        }
        return Optional.empty();
    }
}
