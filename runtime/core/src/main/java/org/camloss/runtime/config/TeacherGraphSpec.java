package org.camloss.runtime.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camloss.api.ParamSpec;

/**
 * The optional {@code distill.teacher_graph} section: how to read a bring-your-own DL4J
 * {@code ComputationGraph} (one camloss did not write) as a teacher.
 *
 * @param logits   the dense or output layer whose pre-activation outputs are the K logits; its input must be
 *                 [N, C] (for a CAM: the global average of {@code features})
 * @param features the vertex of the last feature map, for the teacher's CAM; empty when not given
 * @param stages   vertices of the stage maps, shallow to deep, for stage distillers; empty when not given
 * @param format   layout of the graph's image input and feature maps, {@code NHWC} or {@code NCHW}
 */
public record TeacherGraphSpec(String logits, String features, List<String> stages, String format) {
    /** The keys, with their types, defaults and meaning. */
    public static final List<ParamSpec> KEYS = List.of(
            ParamSpec.ofString(
                    "logits", "", "Dense/output layer whose pre-activation outputs are the logits " + "(required)."),
            ParamSpec.ofString("features", "", "Vertex of the last feature map (needed by caam-cam)."),
            ParamSpec.ofString(
                    "stages", "", "Comma-separated vertices of the stage maps, shallow to deep " + "(needed by at)."),
            ParamSpec.ofChoice("format", "NHWC", List.of("NHWC", "NCHW"), "Layout of the graph's input and maps."));

    public TeacherGraphSpec {
        stages = List.copyOf(stages);
    }

    /** Builds the section from validated values. */
    static TeacherGraphSpec of(Map<String, Object> v) {
        String s = ((String) v.get("stages")).trim();
        List<String> stages = s.isEmpty()
                ? List.of()
                : Arrays.stream(s.split(","))
                        .map(String::trim)
                        .filter(x -> !x.isEmpty())
                        .toList();
        return new TeacherGraphSpec(
                ((String) v.get("logits")).trim(), ((String) v.get("features")).trim(), stages, (String)
                        v.get("format"));
    }

    /** This section in config layout. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("logits", logits);
        m.put("features", features);
        m.put("stages", String.join(",", stages));
        m.put("format", format);
        return m;
    }
}
