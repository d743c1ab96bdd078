package org.camloss.runtime.run;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.data.Dataset;
import org.camloss.engine.Backend;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.ExperimentConfig;
import org.camloss.runtime.train.RunSummary;

/**
 * The {@code provenance} section of a run's {@code run.json}: what made the run (versions, machine, backend, seed,
 * data fingerprint, each plugin's jar), its model's size, and its status as it goes. The keys are the constants below.
 */
public final class Provenance {
    /** {@code running}, {@code finished}, {@code failed} or {@code interrupted}. */
    public static final String STATUS = "status";
    /** The plugins the config names: kind, id, class, jar, version. */
    public static final String PLUGINS = "plugins";
    /** Why a failed run failed. */
    public static final String ERROR = "error";
    /** The run is training: {@code pid}, {@code host} and {@code heartbeat} say which process and when it last lived. */
    public static final String RUNNING = "running";
    /** Training ended; {@code model.zip} is the last epoch's model. */
    public static final String FINISHED = "finished";
    /** What runs written before 2026-11-30 say for {@link #FINISHED}. */
    public static final String COMPLETED_BEFORE = "completed";
    /** Training stopped on an error ({@link #ERROR} says which); no {@code model.zip}. */
    public static final String FAILED = "failed";
    /** Training was stopped (a signal, a cancelled thread); its last checkpoint can be resumed. */
    public static final String INTERRUPTED = "interrupted";
    /** A heartbeat older than this (5 minutes) means the process that wrote it no longer trains. */
    public static final java.time.Duration STALE = java.time.Duration.ofMinutes(5);

    private final Map<String, Object> values;

    private Provenance(Map<String, Object> values) {
        this.values = values;
    }

    /** The provenance section of an existing run's {@code run.json} (a live view: changes write through). */
    public static Provenance of(Map<String, Object> section) {
        return new Provenance(section);
    }

    /**
     * The provenance of a run about to start.
     *
     * @param plugins       the plugins the config names, as {@code kind, id, class, jar, version} maps
     * @param threadsPolicy how ND4J's thread count was chosen
     */
    public static Provenance start(
            ExperimentConfig config,
            Dataset data,
            CamModel model,
            List<Map<String, Object>> plugins,
            String threadsPolicy) {
        Provenance p = new Provenance(new LinkedHashMap<>());
        Map<String, Object> v = p.values;
        v.put("camloss_version", Versions.camloss());
        v.put("dl4j_version", Versions.dl4j());
        v.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        v.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        v.put("cores", Runtime.getRuntime().availableProcessors());
        v.putAll(Backend.describe());
        v.put("threads_policy", threadsPolicy);
        v.put("seed", config.seed());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", data.info().name());
        d.put("sha256", data.info().fingerprint());
        d.put("classes", data.info().classes());
        d.put("shape", data.info().shape().toString());
        d.put("train_size", data.train().size());
        d.put("test_size", data.test().size());
        v.put("dataset", d);
        v.put(PLUGINS, plugins);
        v.put("parameters", model.graph().numParams());
        v.put("backbone_channels", model.backboneInfo().channels());
        v.put("backbone_stride", model.backboneInfo().stride());
        v.put("started", Instant.now().toString());
        p.running();
        return p;
    }

    /** Marks the run as training in this process: status, {@code pid}, {@code host}, {@code heartbeat}. */
    public void running() {
        values.put(STATUS, RUNNING);
        values.put("pid", ProcessHandle.current().pid());
        values.put("host", host());
        values.remove(ERROR);
        heartbeat();
    }

    /** Records that the process is alive now. */
    public void heartbeat() {
        values.put("heartbeat", Instant.now().toString());
    }

    /** Records a resume from {@code checkpoint}. */
    @SuppressWarnings("unchecked")
    public void resumed(java.nio.file.Path checkpoint) {
        List<Object> list = values.get("resumed") instanceof List<?> l ? (List<Object>) l : new java.util.ArrayList<>();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("from", checkpoint.getFileName().toString());
        r.put("at", Instant.now().toString());
        r.put("pid", ProcessHandle.current().pid());
        list.add(r);
        values.put("resumed", list);
        running();
    }

    /** Marks the run finished with its wall time and final metrics (and where early stopping ended it). */
    public void finished(RunSummary summary) {
        values.put(STATUS, FINISHED);
        values.put("finished", Instant.now().toString());
        values.put("wall_seconds", summary.seconds());
        values.put("final_metrics", summary.last());
        if (summary.stoppedEarlyAt() > 0) {
            values.put(
                    "stopped_early",
                    Map.of(
                            "best_epoch",
                            summary.stoppedEarlyAt(),
                            "after_epoch",
                            summary.epochs().size()));
        }
    }

    /** Marks the run failed with the reason. */
    public void failed(Throwable error) {
        values.put(STATUS, FAILED);
        values.put(ERROR, String.valueOf(error.getMessage()));
        values.put("finished", Instant.now().toString());
    }

    /** Marks the run interrupted; it can be resumed from its last checkpoint. */
    public void interrupted(Throwable reason) {
        values.put(STATUS, INTERRUPTED);
        values.put(ERROR, String.valueOf(reason.getMessage()));
        values.put("finished", Instant.now().toString());
    }

    /**
     * What a run's status means now: {@link #RUNNING} only while the process that wrote it lives on this host and its
     * heartbeat is fresh ({@link #STALE}); a {@code running} run whose process is gone reads as interrupted.
     *
     * @param section the provenance section of a {@code run.json}
     * @return the status ({@code running}, {@code finished}, {@code failed}, {@code interrupted}) and, for a dead
     *     {@code running} run, why it is not running
     */
    public static Status status(Map<String, Object> section) {
        String status = String.valueOf(section.get(STATUS));
        if (status.equals(COMPLETED_BEFORE)) {
            return new Status(FINISHED, "");
        }
        if (!status.equals(RUNNING)) {
            return new Status(status, section.get(ERROR) == null ? "" : String.valueOf(section.get(ERROR)));
        }
        Object pid = section.get("pid");
        Object host = section.get("host");
        java.time.Duration age = heartbeatAge(section);
        boolean fresh = age.compareTo(STALE) < 0;
        if (!host().equals(host)) {
            // another machine's process cannot be looked up: the heartbeat alone decides
            return fresh
                    ? new Status(RUNNING, "on " + host + ", heartbeat " + age.toSeconds() + " s ago")
                    : new Status(
                            INTERRUPTED,
                            "it was running on " + host + ", whose heartbeat is " + age.toMinutes() + " min old");
        }
        boolean alive = pid instanceof Number n
                && ProcessHandle.of(n.longValue()).map(ProcessHandle::isAlive).orElse(false);
        if (alive && fresh) {
            return new Status(RUNNING, "process " + pid + ", heartbeat " + age.toSeconds() + " s ago");
        }
        return new Status(
                INTERRUPTED,
                "it was running, but "
                        + (alive
                                ? "process " + pid + " has not written a heartbeat for " + age.toMinutes() + " min"
                                : "process " + pid + " is gone"));
    }

    /**
     * A run's status as {@link #status(Map)} reads it.
     *
     * @param status {@code running}, {@code finished}, {@code failed} or {@code interrupted}
     * @param detail the error of a failed run, why a {@code running} run is dead, or which process runs it
     */
    public record Status(String status, String detail) {}

    private static java.time.Duration heartbeatAge(Map<String, Object> section) {
        try {
            return java.time.Duration.between(Instant.parse(String.valueOf(section.get("heartbeat"))), Instant.now());
        } catch (java.time.format.DateTimeParseException e) {
            return java.time.Duration.ofDays(365);
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }

    /** The section as written into {@code run.json} (a live view). */
    public Map<String, Object> toMap() {
        return values;
    }
}
