package org.camloss.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs one contract subclass with the JUnit Platform Launcher, as a plugin project's build would, and records each
 * check (test method) as passed, failed or skipped, with the message it reported. The invocations of a parameterized
 * check count as one check: it fails when any invocation fails.
 */
final class ContractRun {
    /** What became of a check. */
    enum Outcome {
        PASSED,
        SKIPPED,
        FAILED
    }

    /** A check's outcome and the message of its failure or skip (null when it passed). */
    record Check(Outcome outcome, String message) {}

    private final Map<String, Check> checks = new TreeMap<>();
    private final Map<String, Long> millis = new TreeMap<>();
    private final Map<String, Long> started = new java.util.HashMap<>();

    private ContractRun() {}

    /** Runs every check of {@code contract} but the {@code excluded} ones (by method name). */
    static ContractRun of(Class<?> contract, String... excluded) {
        ContractRun run = new ContractRun();
        Set<String> skip = Set.of(excluded);
        PostDiscoveryFilter filter = d -> FilterResult.includedIf(d.getSource()
                .filter(MethodSource.class::isInstance)
                .map(m -> !skip.contains(((MethodSource) m).getMethodName()))
                .orElse(true));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(contract))
                .filters(filter)
                .build();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier id) {
                run.started.put(id.getUniqueId(), System.nanoTime());
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) {
                    run.record(id, Outcome.SKIPPED, reason);
                }
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                String message = result.getThrowable().map(String::valueOf).orElse(null);
                Long t0 = run.started.get(id.getUniqueId());
                if (id.isTest() && t0 != null) {
                    run.millis.merge(name(id), (System.nanoTime() - t0) / 1_000_000, Long::sum);
                }
                if (id.isTest()) {
                    run.record(
                            id,
                            switch (result.getStatus()) {
                                case SUCCESSFUL -> Outcome.PASSED;
                                case ABORTED -> Outcome.SKIPPED;
                                case FAILED -> Outcome.FAILED;
                            },
                            result.getThrowable().map(Throwable::getMessage).orElse(null));
                } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                    run.checks.put("(container " + id.getDisplayName() + ")", new Check(Outcome.FAILED, message));
                }
            }
        });
        return run;
    }

    private static String name(TestIdentifier id) {
        return id.getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse(id.getDisplayName());
    }

    private void record(TestIdentifier id, Outcome outcome, String message) {
        String name = name(id);
        Check previous = checks.get(name);
        if (previous == null || previous.outcome().compareTo(outcome) < 0) {
            checks.put(name, new Check(outcome, message));
        }
    }

    /** Names of the checks with {@code outcome}. */
    Set<String> with(Outcome outcome) {
        return checks.entrySet().stream()
                .filter(e -> e.getValue().outcome() == outcome)
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Names of the failed checks. */
    Set<String> failed() {
        return with(Outcome.FAILED);
    }

    /** Names of the skipped checks. */
    Set<String> skipped() {
        return with(Outcome.SKIPPED);
    }

    /** The message of a failed or skipped check. */
    String message(String check) {
        Check c = checks.get(check);
        if (c == null) {
            throw new IllegalArgumentException("no check '" + check + "'; checks: " + checks.keySet());
        }
        return c.message();
    }

    /** Every check that ran. */
    Set<String> all() {
        return checks.keySet();
    }

    @Override
    public String toString() {
        return checks.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue().outcome()
                        + " [" + millis.getOrDefault(e.getKey(), 0L) + " ms]"
                        + (e.getValue().message() == null
                                ? ""
                                : " (" + e.getValue().message() + ")"))
                .collect(Collectors.joining("\n"));
    }
}
