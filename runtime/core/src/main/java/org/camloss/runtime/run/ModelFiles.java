package org.camloss.runtime.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.UserException;
import org.camloss.api.layers.StoredModels;
import org.camloss.engine.head.CamHead;
import org.camloss.engine.model.CamModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Writes camloss models and reads them back: from a {@code model.zip} or from a run directory holding one. */
public final class ModelFiles {
    private ModelFiles() {}

    /**
     * Writes {@code graph} with its updater state to {@code file} atomically (a temporary file beside it, then a
     * rename), so the run directory never holds a half-written model.
     */
    public static void save(ComputationGraph graph, Path file) {
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            ModelSerializer.writeModel(graph, tmp.toFile(), true);
            Json.moveAtomically(tmp, file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Loads a camloss model.
     *
     * @param path a run directory or a model file
     * @param what  how to name the path in messages, e.g. {@code distill.teacher}
     * @param shape the images the model will be given
     * @throws UserException when the file is missing, unreadable or not a camloss model
     */
    public static CamModel load(Path path, String what, InputShape shape) {
        Path file = Files.isDirectory(path) ? path.resolve(RunDirectory.MODEL) : path;
        if (!Files.isRegularFile(file)) {
            throw new UserException(what + ": " + file + " does not exist"
                    + (Files.isDirectory(path) ? " (the run did not finish, or this is not a run directory)" : ""));
        }
        ComputationGraph graph;
        try {
            graph = StoredModels.readGraph(file, false);
        } catch (IOException | RuntimeException e) {
            throw new UserException(what + ": " + file + " is not a readable camloss model (" + e.getMessage() + ")");
        }
        if (!(graph.getLayer(CamModel.HEAD) instanceof org.camloss.engine.head.CamHeadLayer)) {
            throw new UserException(
                    what + ": " + file + " is not a camloss model (no '" + CamModel.HEAD + "' head layer)");
        }
        CamHead head = (CamHead) graph.getLayer(CamModel.HEAD).conf().getLayer();
        String features = head.getFeatureVertex() != null
                ? head.getFeatureVertex()
                : graph.getConfiguration().getVertexInputs().get(CamModel.HEAD).get(0);
        // stride from one forward pass of a blank image
        INDArray probe = Nd4j.zeros(graph.params().dataType(), 1, shape.height(), shape.width(), shape.channels());
        INDArray map;
        try {
            map = graph.feedForward(new INDArray[] {probe}, false, true).get(features);
        } catch (RuntimeException e) {
            throw new UserException(what + ": " + file + " cannot take " + shape + " images (" + e.getMessage() + ")");
        }
        long mapH = head.isChannelsLast() ? map.size(1) : map.size(2);
        int stride = (int) Math.max(1, Math.round(shape.height() / (double) mapH));
        return new CamModel(graph, features, new BackboneInfo(head.getChannels(), stride, head.stages()), shape);
    }
}
