package org.camloss.runtime.explain;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.camloss.runtime.registry.PluginRegistry;

/**
 * What {@code camloss eval --faithfulness} measures: the faithfulness metrics ({@link Faithfulness}) of some CAM
 * methods' maps for the model's predicted class, on the first images of the run's test split, at the layer the head
 * pools.
 *
 * @param methods CAM method ids (empty: {@link #DEFAULT_METHODS})
 * @param limit   the first this many test images (0: all)
 * @param options steps and baselines of the deletion and insertion games
 */
public record EvalFaithfulness(List<String> methods, int limit, FaithfulnessOptions options) {
    /** The maps camloss trains: the CAM of the class and the class-agnostic CAAM. */
    public static final List<String> DEFAULT_METHODS = List.of("cam", "caam");

    /** The default number of test images, as in the measurement. */
    public static final int DEFAULT_LIMIT = 500;

    /** Checks the values and fills the default methods. */
    public EvalFaithfulness {
        methods = methods == null || methods.isEmpty() ? DEFAULT_METHODS : List.copyOf(methods);
        Objects.requireNonNull(options, "options");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (all) or positive, found " + limit);
        }
    }

    /**
     * The summary of each method in the order asked, for {@code eval.json}: what {@code explain.json}'s
     * {@code summary} holds, plus the settings.
     */
    static Map<String, Object> toJson(ExplainResult r, FaithfulnessOptions options) {
        Map<String, Object> m = new LinkedHashMap<>(options.toMap());
        m.put("images", r.images().size());
        m.put("split", "test");
        m.put("target", "pred");
        m.put("layer", r.layer());
        Map<String, Object> methods = new LinkedHashMap<>();
        r.summary().forEach((id, s) -> methods.put(id, Explain.summaryMap(s)));
        m.put("methods", methods);
        return m;
    }

    /**
     * Checks the method ids and parameters without a model, so a comparison can refuse them before it trains.
     *
     * @throws org.camloss.api.UserException for an unknown method, naming the valid ones
     */
    public void check(PluginRegistry registry) {
        Explain.methods(
                registry,
                ExplainRequest.builder(Path.of(".")).methods(methods, List.of()).build());
    }

    /**
     * The section flattened into one number per method and metric, {@code <method>_deletion_auc},
     * {@code <method>_insertion_auc}, {@code <method>_average_drop} and {@code <method>_increase_in_confidence} (the
     * last two in percent), for tables with one row per run such as {@code compare}'s.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> flatten(Map<String, Object> section) {
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<String, Object>) section.get("methods")).forEach((id, v) -> {
            Map<String, Object> m = (Map<String, Object>) v;
            for (String key : List.of("deletion_auc", "insertion_auc", "average_drop", "increase_in_confidence")) {
                out.put(id + "_" + key, m.get(key));
            }
        });
        return out;
    }

    /**
     * Runs the request on a run's test split and returns the {@code eval.json} section; writes nothing.
     *
     * @param best whether to read {@code model-best.zip}
     * @throws org.camloss.api.UserException for an unknown method or one the head does not allow
     */
    public static Map<String, Object> measure(
            PluginRegistry registry, Path runDir, boolean best, EvalFaithfulness request, ExplainListener listener) {
        ExplainRequest r = ExplainRequest.builder(runDir)
                .best(best)
                .data("test", null, List.of())
                .limit(request.limit())
                .methods(request.methods(), List.of())
                .target("pred")
                .write(false)
                .overlays(false)
                .gridRows(0)
                .faithfulness(request.options())
                .build();
        return toJson(Explain.run(registry, r, listener), request.options());
    }
}
