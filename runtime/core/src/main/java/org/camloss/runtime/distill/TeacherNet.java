package org.camloss.runtime.distill;

import java.util.List;
import org.camloss.api.BackboneInfo;
import org.camloss.engine.head.TeacherColumns;
import org.camloss.engine.model.CamModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen network that can teach: a camloss model ({@link #of(CamModel, org.camloss.api.InputShape)}) or a
 * plain DL4J graph read through a {@code teacher_graph} description ({@link GraphTeacherNet}). Always run in
 * inference mode.
 */
public interface TeacherNet {
    /** The network. */
    ComputationGraph graph();

    /** K. */
    int classes();

    /** Channels, stride and stages, for {@link org.camloss.api.Distiller#check}; stages may be empty. */
    BackboneInfo info();

    /** The stage map shapes at the data's input size, shallow to deep (empty when no stages are known). */
    List<TeacherColumns.StageShape> stageShapes();

    /**
     * Inference-mode forward pass on NHWC images: NCHW features (null when the teacher has none), logits and,
     * if asked for, the NCHW stage maps.
     */
    CamModel.Forward forward(INDArray images, boolean withStages);

    /** Classifier weights [K, C] applied to the pooled features (null when the teacher has no feature map). */
    INDArray classifierWeight();

    /** A camloss model as a teacher, for images of {@code shape}. */
    static TeacherNet of(CamModel model, org.camloss.api.InputShape shape) {
        return new TeacherNet() {
            @Override
            public ComputationGraph graph() {
                return model.graph();
            }

            @Override
            public int classes() {
                return model.head().getClasses();
            }

            @Override
            public BackboneInfo info() {
                return model.backboneInfo();
            }

            @Override
            public List<TeacherColumns.StageShape> stageShapes() {
                return model.backboneInfo().stages().stream()
                        .map(s -> {
                            int[] hw = new BackboneInfo(s.channels(), s.stride(), List.of()).outputSize(shape);
                            return new TeacherColumns.StageShape(s.channels(), hw[0], hw[1]);
                        })
                        .toList();
            }

            @Override
            public CamModel.Forward forward(INDArray images, boolean withStages) {
                return model.forward(images, false, withStages);
            }

            @Override
            public INDArray classifierWeight() {
                return model.classifierWeight();
            }
        };
    }
}
