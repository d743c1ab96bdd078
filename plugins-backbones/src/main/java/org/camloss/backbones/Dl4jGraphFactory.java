package org.camloss.backbones;

import java.util.List;
import org.camloss.api.Backbone;
import org.camloss.api.BackboneFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;

/**
 * Makes {@code dl4j-graph} backbones: a DL4J zoo architecture or a model file, cut at a named vertex
 * (architecture only; see {@link Dl4jGraph} for why parameters are not copied).
 */
public final class Dl4jGraphFactory implements BackboneFactory {
    /** The id configs use. */
    public static final String ID = "dl4j-graph";

    private static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofString(
                    "zoo",
                    "simple-cnn",
                    "deeplearning4j-zoo architecture, built untrained for the data's input shape: one of "
                            + Dl4jGraph.ZOO.keySet() + "; empty when 'file' is given."),
            ParamSpec.ofString(
                    "file",
                    "",
                    "DL4J model file (ModelSerializer zip) whose architecture is copied; its weights are not loaded. "
                            + "Empty when 'zoo' is given."),
            ParamSpec.ofString(
                    "vertex",
                    "layer25",
                    "Vertex (or layer) whose output becomes the feature map; it must output a 4-D map (simple-cnn: layer25, the last 128-channel activation, stride 8)."));

    /** For {@link java.util.ServiceLoader}. */
    public Dl4jGraphFactory() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Bring your own: a deeplearning4j-zoo architecture (untrained) or a DL4J model file's architecture, "
                + "cut at a named vertex.";
    }

    @Override
    public List<ParamSpec> params() {
        return PARAMS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the source is missing or ambiguous, or the vertex does not exist
     *     or does not output a 4-D map
     */
    @Override
    public Backbone create(Params params) {
        return new Dl4jGraph(params.getString("zoo"), params.getString("file"), params.getString("vertex"));
    }

    /**
     * Creates the {@code Backbone} to report what its constructor refuses (creation only records the settings; the
     * layers are added later, in {@code build}), so rules between parameters are reported with every other
     * problem of a config.
     */
    @Override
    public List<ParamProblem> validate(Params params) {
        return PluginFactory.creationProblems(this, params);
    }
}
