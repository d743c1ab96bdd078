package org.camloss.engine.model;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.BackboneInfo;
import org.camloss.api.InputShape;
import org.camloss.api.layers.FoldedInference;
import org.camloss.engine.head.CamHead;
import org.camloss.engine.head.CamHeadLayer;
import org.camloss.engine.head.Objective;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A backbone plus the {@link CamHead}, as one DL4J {@link ComputationGraph}, with the names needed to read
 * feature maps and classifier weights back.
 */
public final class CamModel {
    /** Name of the input vertex. */
    public static final String INPUT = "input";
    /** Name of the head layer. */
    public static final String HEAD = "head";

    private final ComputationGraph graph;
    private final String featureVertex;
    private final BackboneInfo backboneInfo;
    private final InputShape inputShape;
    /** Set once {@code ComputationGraph.output(List, ...)} failed for this graph (see {@link #output}). */
    private boolean detachedOutput;

    public CamModel(ComputationGraph graph, String featureVertex, BackboneInfo backboneInfo, InputShape inputShape) {
        this.graph = graph;
        this.featureVertex = featureVertex;
        this.backboneInfo = backboneInfo;
        this.inputShape = inputShape;
    }

    public ComputationGraph graph() {
        return graph;
    }

    /** Vertex whose output is the last feature map. */
    public String featureVertex() {
        return featureVertex;
    }

    public BackboneInfo backboneInfo() {
        return backboneInfo;
    }

    public InputShape inputShape() {
        return inputShape;
    }

    /** The head's configuration. */
    public CamHead head() {
        return headLayer().head();
    }

    /** The head's runtime layer. */
    public CamHeadLayer headLayer() {
        return (CamHeadLayer) graph.getLayer(HEAD);
    }

    /** The objective the head minimises (an inference-only stand-in when none was set, see {@link #setObjective}). */
    public Objective objective() {
        return head().objective();
    }

    /**
     * Gives the model the objective to train with, and makes the head define its graph anew from it. A model read
     * from a file has none (objectives are not stored) and refuses to train until it gets one.
     */
    public void setObjective(Objective objective) {
        attach(objective);
        headLayer().redefine();
    }

    /**
     * Gives the head {@code objective}, telling it the feature-map size its per-cell targets are given for (when a
     * regularizer sets them), without redefining the head's graph.
     */
    void attach(Objective objective) {
        if (objective.regionalTargets()) {
            int[] grid = backboneInfo.outputSize(inputShape);
            objective.bindPixelGrid(grid[0], grid[1]);
        }
        head().setObjective(objective);
    }

    /**
     * The head's label array for a training batch: its targets [N, K] followed, when a regularizer of the objective sets
     * per-pixel targets, by the target of every feature-map cell, [N, h·w·K] (cells row-major, see
     * {@link org.camloss.api.data.RegionalTargets#onGrid}); a batch without them gets its sample targets in every cell.
     *
     * @param labels the targets [N, K], or the targets followed by a teacher's columns (never with per-pixel targets)
     */
    public INDArray labels(org.camloss.api.data.Batch batch, INDArray labels) {
        java.util.Optional<int[]> grid = objective().pixelGrid();
        if (grid.isEmpty()) {
            return labels;
        }
        int h = grid.get()[0];
        int w = grid.get()[1];
        INDArray targets = batch.targets();
        org.camloss.api.data.RegionalTargets regions =
                batch.regional().orElseGet(() -> org.camloss.api.data.RegionalTargets.uniform(targets, 1, 1));
        INDArray cells = regions.onGrid(h, w).castTo(labels.dataType());
        return org.nd4j.linalg.factory.Nd4j.hstack(
                labels, cells.reshape('c', cells.size(0), cells.size(1) * cells.size(2)));
    }

    /** {@link #labels(org.camloss.api.data.Batch, INDArray)} of the batch's own targets. */
    public INDArray labels(org.camloss.api.data.Batch batch) {
        return labels(batch, batch.targets());
    }

    /** Classifier weights W [K, C] (a view of the parameters). */
    public INDArray classifierWeight() {
        return graph.getLayer(HEAD).getParam(CamHead.WEIGHT);
    }

    /** Classifier bias [1, K] (a view of the parameters). */
    public INDArray classifierBias() {
        return graph.getLayer(HEAD).getParam(CamHead.BIAS);
    }

    /**
     * Inference-mode forward pass returning the NCHW feature maps and the logits.
     *
     * @param images [N, H, W, C]
     */
    public Forward forward(INDArray images) {
        return forward(images, false);
    }

    /**
     * Forward pass returning the NCHW feature maps and the logits; {@code training} selects batch statistics
     * for batch norm (no parameter changes either way).
     *
     * @param images [N, H, W, C]
     */
    public Forward forward(INDArray images, boolean training) {
        return forward(images, training, false);
    }

    /**
     * Forward pass returning the NCHW feature maps, the logits and, if asked for, the NCHW maps of every
     * declared stage of {@link #backboneInfo()}. An inference pass ({@code training} false) runs inside a
     * {@link FoldedInference} scope: the batch norms the pass does not hand back run folded into their convolutions
     * (the same outputs within float rounding, fewer passes over memory); the feature and stage maps returned keep
     * their unfused meaning, since {@code output(List, ...)} hands those vertices' activations to the caller and a
     * convolution whose activation goes to the caller never folds.
     *
     * @param images [N, H, W, C]
     */
    public Forward forward(INDArray images, boolean training, boolean withStages) {
        // only the vertices asked for: feedForward would copy every vertex's activations out of the workspaces
        // (hundreds of MB per batch for ResNet-20), which the small Java heap does not collect in time
        List<String> names = new ArrayList<>();
        names.add(featureVertex);
        if (withStages) {
            for (BackboneInfo.Stage s : backboneInfo.stages()) {
                if (!names.contains(s.vertex())) {
                    names.add(s.vertex());
                }
            }
        }
        if (training) {
            return forwardPass(images, true, withStages, names);
        }
        try (FoldedInference folded = FoldedInference.open(graph, names)) {
            return forwardPass(images, false, withStages, names);
        }
    }

    private Forward forwardPass(INDArray images, boolean training, boolean withStages, List<String> names) {
        INDArray[] acts;
        try {
            acts = detachedOutput ? feedForward(images, training, names) : output(images, training, names);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalStateException(
                    "the model has no vertex among " + names + " (vertices: "
                            + graph.getConfiguration().getVertices().keySet() + ")",
                    e);
        }
        INDArray features = nchw(acts[0]);
        INDArray pooled = features.mean(2, 3);
        INDArray logits = pooled.mmul(
                        classifierWeight().castTo(pooled.dataType()).transpose())
                .addiRowVector(classifierBias().castTo(pooled.dataType()));
        List<INDArray> stages = new ArrayList<>();
        if (withStages) {
            for (BackboneInfo.Stage s : backboneInfo.stages()) {
                stages.add(s.vertex().equals(featureVertex) ? features : nchw(acts[names.indexOf(s.vertex())]));
            }
        }
        return new Forward(features, logits, stages);
    }

    /**
     * The activations of {@code names} by {@code ComputationGraph.output(List, ...)}, which copies only those out of
     * the workspaces. DL4J M2.1's implementation fails for some cuts of imported graphs (a feature vertex that is the
     * first layer after the input leaves its activation workspace open: "Expected no workspace active at the end of
     * outputOfLayerDetached"); then the leaked workspaces of this thread are closed and this model uses
     * {@code feedForward} from then on, which works for every vertex at the cost of copying every activation.
     */
    private INDArray[] output(INDArray images, boolean training, List<String> names) {
        try {
            return graph.output(names, training, new INDArray[] {images}, null);
        } catch (org.nd4j.linalg.workspace.ND4JWorkspaceException e) {
            org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
            detachedOutput = true;
            return feedForward(images, training, names);
        }
    }

    private INDArray[] feedForward(INDArray images, boolean training, List<String> names) {
        java.util.Map<String, INDArray> all = graph.feedForward(new INDArray[] {images}, training, false);
        INDArray[] out = new INDArray[names.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(names.get(i));
            if (out[i] == null) {
                throw new IllegalArgumentException("no vertex " + names.get(i));
            }
        }
        return out;
    }

    private INDArray nchw(INDArray f) {
        return head().isChannelsLast() ? f.permute(0, 3, 1, 2).dup() : f.dup();
    }

    /**
     * Features and logits of one forward pass.
     *
     * @param features NCHW [N, C, H, W]
     * @param logits   [N, K]
     * @param stages   NCHW maps of the declared stages, shallow to deep, when asked for; otherwise empty
     */
    public record Forward(INDArray features, INDArray logits, List<INDArray> stages) {
        public Forward {
            stages = List.copyOf(stages);
        }

        public Forward(INDArray features, INDArray logits) {
            this(features, logits, List.of());
        }
    }
}
