package org.camloss.distill;

import java.util.List;
import org.camloss.api.Distiller;
import org.camloss.api.LossTerm;
import org.camloss.api.loss.CrossEntropy;
import org.camloss.engine.head.Objective;
import org.camloss.engine.head.TeacherColumns;
import org.camloss.engine.model.CamModel;
import org.camloss.testkit.HeadHarness;
import org.camloss.testkit.TinyNets;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Shared helpers of the distiller tests: objectives with a bound teacher, flat arrays, the gradient check. */
final class DistillTestSupport {
    private DistillTestSupport() {}

    /** An objective of the distiller's terms alone (no cross-entropy), teacher bound to the label columns. */
    static Objective distillerOnly(Distiller d, TeacherColumns columns) {
        Objective o = new Objective(ctx -> List.of(), List.of(), List.of(d));
        o.bindTeacher((ctx, labels) -> columns.slice(labels));
        return o;
    }

    /** Cross-entropy plus the distiller, teacher bound to the label columns. */
    static Objective withCrossEntropy(Distiller d, TeacherColumns columns) {
        Objective o =
                new Objective(ctx -> List.of(LossTerm.of("ce", CrossEntropy.value(ctx), 1.0)), List.of(), List.of(d));
        o.bindTeacher((ctx, labels) -> columns.slice(labels));
        return o;
    }

    /** Runs the distiller alone on the head in float64; labels are packed (as the runtime does) and widened. */
    static HeadHarness.Result run(
            Distiller d, TeacherColumns columns, INDArray features, INDArray weight, INDArray bias, INDArray labels) {
        return new HeadHarness(DataType.DOUBLE)
                .runWithTeacher(distillerOnly(d, columns), features, weight, bias, labels);
    }

    /** Row-major values as doubles. */
    static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').reshape(a.length()).toDoubleVector();
    }

    /** Values of {@code a} rounded to multiples of 1/{@code denominator}: exact in float and in sums. */
    static INDArray dyadic(INDArray a, int denominator) {
        double[] v = flat(a);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.rint(v[i] * denominator) / denominator;
        }
        return Nd4j.create(v, a.shape(), 'c').castTo(DataType.DOUBLE);
    }

    /** Columns {@code [from, from + count)} of a 2-D array, flattened row-major into [N][count]. */
    static double[][] columns(INDArray labels, int from, int count) {
        double[] all = flat(labels);
        int n = (int) labels.size(0);
        int width = (int) labels.size(1);
        double[][] out = new double[n][count];
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, i * width + from, out[i], 0, count);
        }
        return out;
    }

    /**
     * DL4J's numerical gradient check of the tiny model (one convolution, the CAM head) whose objective is
     * cross-entropy plus {@code d}, with the teacher's signals riding in the labels. The signals are
     * constants, so every parameter's gradient must be the true gradient of the score.
     *
     * @param teacherLogits [N, K] or null
     * @param teacherCam    [N, 6, 6] (the tiny model's feature-map size) or null
     */
    static boolean wholeHeadPassesGradientCheck(Distiller d, INDArray teacherLogits, INDArray teacherCam) {
        int n = 3;
        TeacherColumns columns =
                new TeacherColumns(TinyNets.CLASSES, TinyNets.SHAPE.height(), TinyNets.SHAPE.width(), d.requires());
        CamModel model = TinyNets.model(withCrossEntropy(d, columns), DataType.DOUBLE, new NoOp(), 3);
        INDArray x = TinyNets.images(n, DataType.DOUBLE, 5);
        INDArray labels = columns.pack(TinyNets.oneHot(n, DataType.DOUBLE), teacherLogits, teacherCam)
                .castTo(DataType.DOUBLE);
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(model.graph())
                .inputs(new INDArray[] {x})
                .labels(new INDArray[] {labels})
                .epsilon(1e-6)
                .maxRelError(1e-4)
                .minAbsoluteError(1e-9));
    }
}
