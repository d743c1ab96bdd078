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
