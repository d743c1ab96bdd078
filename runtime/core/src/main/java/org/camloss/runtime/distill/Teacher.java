package org.camloss.runtime.distill;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.camloss.api.LossContext;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TeacherSignal;
import org.camloss.api.UserException;
import org.camloss.api.cam.Bilinear;
import org.camloss.api.cam.CamMaps;
import org.camloss.api.data.DatasetInfo;
import org.camloss.engine.head.Objective;
import org.camloss.engine.head.TeacherColumns;
import org.camloss.engine.model.CamModel;
import org.camloss.runtime.config.TeacherGraphSpec;
import org.camloss.runtime.run.ModelFiles;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen teacher for distillation. It runs in inference mode (batch norm on running statistics) on
 * exactly the student's batch, is never updated, and hands its signals to the student's head in the
 * label array after the K target columns: the logits [N, K] and/or the target CAM, resized bilinearly to
 * the student's feature-map size and flattened [N, h·w], and/or its stage maps (NCHW, flattened).
 */
public final class Teacher implements Objective.TeacherBinding {
    private final TeacherNet net;
    private final TeacherColumns columns;
    private float[][] cache;
    private long seen;
    private long agreed;

    Teacher(TeacherNet net, TeacherColumns columns) {
        this.net = net;
        this.columns = columns;
    }

    /**
     * Keeps each training example's teacher columns after its first batch, so the teacher runs once per
     * example; only valid when the student's batches are not augmented or mixed.
     *
     * @param trainSize training examples
     */
    public void enableCache(int trainSize) {
        this.cache = new float[trainSize][];
    }

    /**
     * The head's labels for training examples {@code idx}: from the cache where enabled and filled, else as
     * {@link #labels(INDArray, INDArray)}.
     */
    public INDArray labels(INDArray images, INDArray targets, int[] idx) {
        if (cache == null) {
            return labels(images, targets);
        }
        boolean all = true;
        for (int i : idx) {
            all &= cache[i] != null;
        }
        if (!all) {
            INDArray fresh = labels(images, targets);
            for (int r = 0; r < idx.length; r++) {
                cache[idx[r]] = fresh.getRow(r).dup().toFloatVector();
            }
            return fresh;
        }
        float[][] rows = new float[idx.length][];
        for (int r = 0; r < idx.length; r++) {
            rows[r] = cache[idx[r]];
        }
        return Nd4j.create(rows);
    }

    /**
     * Loads the teacher of a student: a camloss run directory or model file.
     *
     * @param path       a camloss run directory or model file
     * @param data       the student's dataset
     * @param studentMap the student's feature-map height and width
     * @param signals    what the distillers need
     * @throws UserException when the teacher cannot be read or does not fit the student's data
     */
    public static Teacher load(Path path, DatasetInfo data, int[] studentMap, Set<TeacherSignal> signals) {
        return load(path, Optional.empty(), data, studentMap, signals);
    }

    /**
     * Loads the teacher of a student: a camloss run directory or model file, or, with {@code graph}, a plain
     * DL4J graph file read as that description says.
     *
     * @throws UserException when the teacher cannot be read or does not fit the student's data or distillers
     */
    public static Teacher load(
            Path path,
            Optional<TeacherGraphSpec> graph,
            DatasetInfo data,
            int[] studentMap,
            Set<TeacherSignal> signals) {
        TeacherNet net;
        if (graph.isPresent()) {
            TeacherGraphSpec g = graph.get();
            if (signals.contains(TeacherSignal.TARGET_CAM) && g.features().isEmpty()) {
                throw new UserException("distill.teacher_graph.features: missing; a distiller of the teacher's CAM "
                        + "(caam-cam) needs the vertex of its last feature map");
            }
            if (signals.contains(TeacherSignal.STAGES) && g.stages().isEmpty()) {
                throw new UserException("distill.teacher_graph.stages: missing; a distiller of stage maps (at) needs "
                        + "the teacher's stage vertices, e.g. stages: \"block1,block2,block3\"");
            }
            net = GraphTeacherNet.load(path, g, data.shape(), data.numClasses());
        } else {
            CamModel model = ModelFiles.load(path, "distill.teacher", data.shape());
            int k = model.head().getClasses();
            if (k != data.numClasses()) {
                throw new UserException("distill.teacher: " + path + " has " + k + " classes but the student's data "
                        + data.name() + " has " + data.numClasses() + "; teacher and student must share their classes");
            }
            if (signals.contains(TeacherSignal.STAGES)
                    && model.backboneInfo().stages().isEmpty()) {
                throw new UserException("distill.teacher: " + path + " does not record its backbone's stages (it was "
                        + "saved by an older camloss); a distiller that reads stages (at) needs a teacher trained by "
                        + "this version");
            }
            net = TeacherNet.of(model, data.shape());
        }
        List<TeacherColumns.StageShape> stages = signals.contains(TeacherSignal.STAGES) ? net.stageShapes() : List.of();
        return new Teacher(net, new TeacherColumns(net.classes(), studentMap[0], studentMap[1], signals, stages));
    }

    /** Bytes the cache of {@link #enableCache} holds once full. */
    public long cacheBytes(int trainSize) {
        return (long) trainSize * (columns.classes() + columns.extraColumns()) * Float.BYTES;
    }

    /** The teacher network (frozen). */
    public TeacherNet net() {
        return net;
    }

    /** The label layout. */
    public TeacherColumns columns() {
        return columns;
    }

    /** The head's labels for a student batch: targets, then the teacher's signals. */
    public INDArray labels(INDArray images, INDArray targets) {
        boolean stages = columns.signals().contains(TeacherSignal.STAGES);
        CamModel.Forward f = net.forward(images, stages);
        count(f.logits(), targets);
        INDArray resized = null;
        if (columns.signals().contains(TeacherSignal.TARGET_CAM)) {
            INDArray maps =
                    CamMaps.cam(f.features(), net.classifierWeight(), targets).castTo(DataType.FLOAT);
            int n = (int) maps.size(0);
            int h = (int) maps.size(1);
            int w = (int) maps.size(2);
            int mh = columns.mapH();
            int mw = columns.mapW();
            float[] src = maps.dup('c').data().asFloat();
            float[] out = new float[n * mh * mw];
            for (int i = 0; i < n; i++) {
                float[] r = Bilinear.resize(Arrays.copyOfRange(src, i * h * w, (i + 1) * h * w), h, w, mh, mw);
                System.arraycopy(r, 0, out, i * mh * mw, mh * mw);
            }
            resized = Nd4j.create(out, new long[] {n, mh, mw}, 'c');
        }
        return columns.pack(targets, f.logits(), resized, f.stages());
    }

    /** Counts the examples whose teacher top-1 class is the target's largest class. */
    private void count(INDArray logits, INDArray targets) {
        INDArray agree = logits.argMax(1).eq(targets.argMax(1));
        agreed += agree.castTo(DataType.INT).sumNumber().longValue();
        seen += agree.length();
    }

    /**
     * The teacher's top-1 accuracy on exactly the batches it was run on since the last call — the student's own
     * (augmented, mixed) training batches, against their targets' largest class — and starts counting anew; empty when
     * it ran on none (every example came from the cache). The trainer reports it per epoch as
     * {@code train_teacher_accuracy}: a teacher that is accurate on its test set but not here is being fed images it
     * was not trained on (another normalisation, size or order).
     */
    public OptionalDouble takeAccuracy() {
        OptionalDouble a = seen == 0 ? OptionalDouble.empty() : OptionalDouble.of(agreed / (double) seen);
        seen = 0;
        agreed = 0;
        return a;
    }

    @Override
    public TeacherOutputs define(LossContext context, SDVariable labels) {
        return columns.slice(labels);
    }
}
