package org.camloss.api.model;

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
 * logits [K] if required, then its target CAM flattened [h·w] at the student's feature-map size.
 *
 * @param classes K
 * @param mapH    student feature-map height
 * @param mapW    student feature-map width
 * @param signals the signals carried
 */
public record TeacherColumns(int classes, int mapH, int mapW, Set<TeacherSignal> signals) {
    public TeacherColumns {
        signals = Set.copyOf(signals);
    }

    /** Columns after the targets. */
    public int extraColumns() {
        return (signals.contains(TeacherSignal.LOGITS) ? classes : 0)
                + (signals.contains(TeacherSignal.TARGET_CAM) ? mapH * mapW : 0);
    }

    /**
     * Packs one batch's label array.
     *
     * @param targets [N, K]
     * @param logits  [N, K], or null when not carried
     * @param cam     [N, mapH, mapW], or null when not carried
     */
    public INDArray pack(INDArray targets, INDArray logits, INDArray cam) {
        List<INDArray> parts = new ArrayList<>();
        parts.add(targets.castTo(DataType.FLOAT));
        if (signals.contains(TeacherSignal.LOGITS)) {
            parts.add(logits.castTo(DataType.FLOAT));
        }
        if (signals.contains(TeacherSignal.TARGET_CAM)) {
            parts.add(cam.castTo(DataType.FLOAT).reshape('c', cam.size(0), (long) mapH * mapW));
        }
        return Nd4j.hstack(parts.toArray(new INDArray[0]));
    }

    /** The teacher's signals as slices of the head's label variable. */
    public TeacherOutputs slice(SDVariable labels) {
        int off = classes;
        Optional<SDVariable> lg = Optional.empty();
        Optional<SDVariable> tc = Optional.empty();
        if (signals.contains(TeacherSignal.LOGITS)) {
            lg = Optional.of(labels.get(SDIndex.all(), SDIndex.interval(off, off + classes)));
            off += classes;
        }
        if (signals.contains(TeacherSignal.TARGET_CAM)) {
            tc = Optional.of(labels.get(SDIndex.all(), SDIndex.interval(off, off + mapH * mapW))
                    .reshape(-1, mapH, mapW));
        }
        return new TeacherOutputs(lg, tc);
    }
}
