package org.camloss.runtime.distill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.UserException;
import org.camloss.api.layers.StoredModels;
import org.camloss.engine.head.TeacherColumns;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.TeacherGraphSpec;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A bring-your-own DL4J {@link ComputationGraph} as a teacher, read as its {@link TeacherGraphSpec} says:
 * logits z = x·W + b recomputed from the input x [N, C] of the named dense/output layer and its parameters
 * (so a softmax output layer still yields pre-activation logits), the teacher's CAM from the named feature
 * map and Wᵀ (valid when x is the global average of that map, which is checked on a probe image), and the
 * named stage maps.
 */
public final class GraphTeacherNet implements TeacherNet {
    private static final String WHERE = "distill.teacher_graph";

    private final ComputationGraph graph;
    private final TeacherGraphSpec spec;
    private final String logitsInput;
    private final boolean nchw;
    private final BackboneInfo info;
    private final List<TeacherColumns.StageShape> stageShapes;

    private GraphTeacherNet(
            ComputationGraph graph,
            TeacherGraphSpec spec,
            String logitsInput,
            BackboneInfo info,
            List<TeacherColumns.StageShape> stageShapes) {
        this.graph = graph;
        this.spec = spec;
        this.logitsInput = logitsInput;
        this.nchw = spec.format().equals("NCHW");
        this.info = info;
        this.stageShapes = List.copyOf(stageShapes);
    }

    /**
     * Reads and checks the graph: every named vertex exists, the logits layer has W [C, K] and b, its input is
     * [N, C] and, when features are named, C equals their channels and the input is their global average.
     *
     * @throws UserException naming the key, the problem and the valid choices
     */
    public static GraphTeacherNet load(Path file, TeacherGraphSpec spec, InputShape shape, int classes) {
        if (!Files.isRegularFile(file)) {
            throw new UserException("distill.teacher: " + file + " does not exist (with teacher_graph it must be a "
                    + "DL4J ComputationGraph file written by ModelSerializer)");
        }
        ComputationGraph graph;
        try {
            graph = StoredModels.readGraph(file, false);
        } catch (IOException | RuntimeException e) {
            throw new UserException(
                    "distill.teacher: " + file + " is not a readable DL4J ComputationGraph (" + e.getMessage() + ")");
        }
        TreeSet<String> vertices =
                new TreeSet<>(graph.getConfiguration().getVertices().keySet());
        vertices.addAll(graph.getConfiguration().getNetworkInputs());
        String valid = " (the graph's vertices: " + vertices + ")";
        check(vertices, spec.logits(), "logits", valid);
        if (!spec.features().isEmpty()) {
            check(vertices, spec.features(), "features", valid);
        }
        for (String s : spec.stages()) {
            check(vertices, s, "stages", valid);
        }
        Layer layer = graph.getLayer(spec.logits());
        INDArray w = layer == null ? null : layer.getParam("W");
        INDArray b = layer == null ? null : layer.getParam("b");
        if (w == null || b == null || w.rank() != 2) {
            throw new UserException(WHERE + ".logits: '" + spec.logits() + "' is not a dense or output layer with "
                    + "weights W and bias b" + valid);
        }
        if (w.size(1) != classes) {
            throw new UserException(WHERE + ".logits: '" + spec.logits() + "' has " + w.size(1) + " outputs but the "
                    + "student's data has " + classes + " classes; teacher and student must share their classes");
        }
        String logitsInput =
                graph.getConfiguration().getVertexInputs().get(spec.logits()).get(0);

        // one probe image: shapes of every named vertex
        boolean nchw = spec.format().equals("NCHW");
        INDArray probe = Nd4j.rand(graph.params().dataType(), 2, shape.height(), shape.width(), shape.channels());
        Map<String, INDArray> acts;
        try {
            acts = graph.feedForward(
                    new INDArray[] {nchw ? probe.permute(0, 3, 1, 2).dup() : probe}, false, false);
        } catch (RuntimeException e) {
            throw new UserException("distill.teacher: " + file + " cannot take " + shape + " images in " + spec.format()
                    + " layout (" + firstLine(e.getMessage()) + "); check distill.teacher_graph.format");
        }
        INDArray x = acts.get(logitsInput);
        if (x == null || x.rank() != 2 || x.size(1) != w.size(0)) {
            throw new UserException(WHERE + ".logits: the input of '" + spec.logits() + "' must be [N, " + w.size(0)
                    + "] (pooled features), found " + (x == null ? "none" : java.util.Arrays.toString(x.shape())));
        }
        int channels = 0;
        int stride = 1;
        if (!spec.features().isEmpty()) {
            INDArray f = nchw(acts, spec.features(), "features", nchw);
            channels = (int) f.size(1);
            if (channels != w.size(0)) {
                throw new UserException(WHERE + ".features: '" + spec.features() + "' has " + channels + " channels "
                        + "but '" + spec.logits() + "' takes " + w.size(0) + " inputs; name the map whose global "
                        + "average feeds the logits layer");
            }
            INDArray pooled = f.mean(2, 3);
            if (!pooled.equalsWithEps(
                    x.castTo(pooled.dataType()),
                    1e-4 * Math.max(1, x.amaxNumber().doubleValue()))) {
                throw new UserException(WHERE + ".features: the input of '" + spec.logits() + "' is not the global "
                        + "average of '" + spec.features() + "', so the teacher's CAM would not explain its logits");
            }
            stride = (int) Math.max(1, Math.round(shape.height() / (double) f.size(2)));
        }
        List<BackboneInfo.Stage> stages = new ArrayList<>();
        List<TeacherColumns.StageShape> shapes = new ArrayList<>();
        for (String s : spec.stages()) {
            INDArray m = nchw(acts, s, "stages", nchw);
            int st = (int) Math.max(1, Math.round(shape.height() / (double) m.size(2)));
            stages.add(new BackboneInfo.Stage(s, (int) m.size(1), st));
            shapes.add(new TeacherColumns.StageShape((int) m.size(1), (int) m.size(2), (int) m.size(3)));
        }
        return new GraphTeacherNet(graph, spec, logitsInput, new BackboneInfo(channels, stride, stages), shapes);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void check(TreeSet<String> vertices, String name, String key, String valid) {
        if (!vertices.contains(name)) {
            throw new UserException(WHERE + "." + key + ": no vertex '" + name + "'" + valid);
        }
    }

    /** The activations of {@code vertex} as a new NCHW array; a user error when they are not 4-D. */
    private static INDArray nchw(Map<String, INDArray> acts, String vertex, String key, boolean channelsFirst) {
        INDArray a = acts.get(vertex);
        if (a == null || a.rank() != 4) {
            throw new UserException(WHERE + "." + key + ": '" + vertex + "' must output 4-D feature maps, found "
                    + (a == null ? "nothing" : java.util.Arrays.toString(a.shape())));
        }
        return channelsFirst ? a.dup() : a.permute(0, 3, 1, 2).dup();
    }

    /** The description it was read with. */
    public TeacherGraphSpec spec() {
        return spec;
    }

    @Override
    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public int classes() {
        return (int) graph.getLayer(spec.logits()).getParam("W").size(1);
    }

    @Override
    public BackboneInfo info() {
        return info;
    }

    @Override
    public List<TeacherColumns.StageShape> stageShapes() {
        return stageShapes;
    }

    @Override
    public CamModel.Forward forward(INDArray images, boolean withStages) {
        INDArray in = nchw ? images.permute(0, 3, 1, 2).dup() : images;
        Map<String, INDArray> acts = graph.feedForward(new INDArray[] {in}, false, true);
        Layer layer = graph.getLayer(spec.logits());
        INDArray x = acts.get(logitsInput);
        INDArray logits = x.mmul(layer.getParam("W").castTo(x.dataType()))
                .addiRowVector(layer.getParam("b").castTo(x.dataType()));
        INDArray features = spec.features().isEmpty() ? null : nchw(acts, spec.features(), "features", nchw);
        List<INDArray> stages = new ArrayList<>();
        if (withStages) {
            for (String s : spec.stages()) {
                stages.add(nchw(acts, s, "stages", nchw));
            }
        }
        return new CamModel.Forward(features, logits, stages);
    }

    @Override
    public INDArray classifierWeight() {
        return spec.features().isEmpty()
                ? null
                : graph.getLayer(spec.logits()).getParam("W").transpose();
    }
}
