package org.camloss.engine.head;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.camloss.api.TeacherOutputs;
import org.camloss.api.TeacherSignal;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a teacher's signals ride in the student head's label array: the K target columns, then the teacher
 * logits [K] if required, then its target CAM flattened [h·w] at the student's feature-map size, then each
 * of its stage maps flattened [C_t·H_t·W_t] (NCHW order) if required.
 *
 * @param classes K
 * @param mapH    student feature-map height
 * @param mapW    student feature-map width
 * @param signals the signals carried
 * @param stages  the teacher's stage shapes, shallow to deep; required with {@link TeacherSignal#STAGES}
 */
public record TeacherColumns(int classes, int mapH, int mapW, Set<TeacherSignal> signals, List<StageShape> stages)
        implements java.io.Serializable {
    public TeacherColumns {
        signals = Set.copyOf(signals);
        stages = List.copyOf(stages);
        if (signals.contains(TeacherSignal.STAGES) && stages.isEmpty()) {
            throw new IllegalArgumentException("the teacher's stage maps are required but it declares no stages");
        }
    }

    /** Columns without stage maps. */
    public TeacherColumns(int classes, int mapH, int mapW, Set<TeacherSignal> signals) {
        this(classes, mapH, mapW, signals, List.of());
    }

    /**
     * The shape of one teacher stage map.
     *
     * @param channels C_t
     * @param height   H_t
     * @param width    W_t
     */
    public record StageShape(int channels, int height, int width) implements java.io.Serializable {
        /** C·H·W. */
        public int size() {
            return channels * height * width;
        }
    }

    private boolean carriesStages() {
        return signals.contains(TeacherSignal.STAGES);
    }

    /** Columns after the targets. */
    public int extraColumns() {
        int n = (signals.contains(TeacherSignal.LOGITS) ? classes : 0)
                + (signals.contains(TeacherSignal.TARGET_CAM) ? mapH * mapW : 0);
        if (carriesStages()) {
            for (StageShape s : stages) {
                n += s.size();
            }
        }
        return n;
    }

    /**
     * Packs one batch's label array without stage maps.
     *
     * @param targets [N, K]
     * @param logits  [N, K], or null when not carried
     * @param cam     [N, mapH, mapW], or null when not carried
     */
    public INDArray pack(INDArray targets, INDArray logits, INDArray cam) {
        return pack(targets, logits, cam, List.of());
    }

    /**
     * Packs one batch's label array.
     *
     * @param targets [N, K]
     * @param logits  [N, K], or null when not carried
     * @param cam     [N, mapH, mapW], or null when not carried
     * @param maps    the teacher's stage maps [N, C_t, H_t, W_t] as declared in {@link #stages()}, or empty when
     *                not carried
     */
    public INDArray pack(INDArray targets, INDArray logits, INDArray cam, List<INDArray> maps) {
        List<INDArray> parts = new ArrayList<>();
        parts.add(targets.castTo(DataType.FLOAT));
        if (signals.contains(TeacherSignal.LOGITS)) {
            parts.add(logits.castTo(DataType.FLOAT));
        }
        if (signals.contains(TeacherSignal.TARGET_CAM)) {
            parts.add(cam.castTo(DataType.FLOAT).reshape('c', cam.size(0), (long) mapH * mapW));
        }
        if (carriesStages()) {
            if (maps.size() != stages.size()) {
                throw new IllegalArgumentException(
                        "expected " + stages.size() + " teacher stage maps, got " + maps.size());
            }
            for (int i = 0; i < maps.size(); i++) {
                INDArray m = maps.get(i);
                StageShape s = stages.get(i);
                if (m.rank() != 4 || m.size(1) != s.channels() || m.size(2) != s.height() || m.size(3) != s.width()) {
                    throw new IllegalArgumentException("teacher stage " + i + ": expected [N, " + s.channels() + ", "
                            + s.height() + ", " + s.width() + "], got " + java.util.Arrays.toString(m.shape()));
                }
                parts.add(m.castTo(DataType.FLOAT).dup('c').reshape('c', m.size(0), s.size()));
            }
        }
        return Nd4j.hstack(parts.toArray(new INDArray[0]));
    }

    /** The teacher's signals as slices of the head's label variable. */
    public TeacherOutputs slice(SDVariable labels) {
        int off = classes;
        Optional<SDVariable> lg = Optional.empty();
        Optional<SDVariable> tc = Optional.empty();
        List<org.camloss.api.StageMap> maps = new ArrayList<>();
        if (signals.contains(TeacherSignal.LOGITS)) {
            lg = Optional.of(labels.get(SDIndex.all(), SDIndex.interval(off, off + classes)));
            off += classes;
        }
        if (signals.contains(TeacherSignal.TARGET_CAM)) {
            tc = Optional.of(labels.get(SDIndex.all(), SDIndex.interval(off, off + mapH * mapW))
                    .reshape(-1, mapH, mapW));
            off += mapH * mapW;
        }
        if (carriesStages()) {
            for (StageShape s : stages) {
                maps.add(new org.camloss.api.StageMap(
                        labels.get(SDIndex.all(), SDIndex.interval(off, off + s.size()))
                                .reshape(-1, s.channels(), s.height(), s.width()),
                        s.channels(),
                        s.height(),
                        s.width()));
                off += s.size();
            }
        }
        return new TeacherOutputs(lg, tc, maps);
    }
}
