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
    /** {@code running}, {@code completed} or {@code failed}. */
    public static final String STATUS = "status";
    /** The plugins the config names: kind, id, class, jar, version. */
    public static final String PLUGINS = "plugins";
    /** Why a failed run failed. */
    public static final String ERROR = "error";
    /** Status values. */
    public static final String RUNNING = "running";
    /** Status values. */
    public static final String COMPLETED = "completed";
    /** Status values. */
    public static final String FAILED = "failed";

    private final Map<String, Object> values = new LinkedHashMap<>();

    private Provenance() {}

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
        Provenance p = new Provenance();
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
        v.put(STATUS, RUNNING);
        return p;
    }

    /** Marks the run completed with its wall time and final metrics. */
    public void completed(RunSummary summary) {
        values.put(STATUS, COMPLETED);
        values.put("finished", Instant.now().toString());
        values.put("wall_seconds", summary.seconds());
        values.put("final_metrics", summary.last());
    }

    /** Marks the run failed with the reason. */
    public void failed(Throwable error) {
        values.put(STATUS, FAILED);
        values.put(ERROR, String.valueOf(error.getMessage()));
        values.put("finished", Instant.now().toString());
    }

    /** The section as written into {@code run.json} (a live view). */
    public Map<String, Object> toMap() {
        return values;
    }
}
