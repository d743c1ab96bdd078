package org.camloss.api.layers;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Change 23's table: ReLU's backward pass as libnd4j's {@code relu_bp} against {@link ReluBackward} (a step and a
 * product), with libnd4j's vectorised add on the same arrays for scale, on the residual blocks' NHWC shapes of ResNet-8
 * at batch 128. Per shape, {@code reps} repetitions of {@code calls} calls of each, in turn; printed: the mean of the
 * last repetition's calls, ms. Not a test: {@code java -cp <engine test class path> org.camloss.api.layers.ReluBackwardTiming
 * [calls reps]}.
 */
public final class ReluBackwardTiming {
    private ReluBackwardTiming() {}

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long[][] shapes = {{128, 28, 28, 16}, {128, 14, 14, 32}, {128, 7, 7, 64}};
        for (long[] s : shapes) {
            Nd4j.getRandom().setSeed(1);
            INDArray out = Nd4j.rand(DataType.FLOAT, s).subi(0.5);
            Nd4j.exec(new RectifiedLinear(out, out, 0.0));
            INDArray eps = Nd4j.randn(DataType.FLOAT, s);
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, s);
            INDArray b = Nd4j.createUninitialized(DataType.FLOAT, s);
            double[] ms = new double[3];
            for (int rep = 0; rep < reps; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    Nd4j.exec(new RectifiedLinearDerivative(out, eps, a, 0.0));
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    ReluBackward.apply(out, eps, b);
                }
                long t2 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    Nd4j.exec(new AddOp(out, eps, b));
                }
                long t3 = System.nanoTime();
                ms = new double[] {(t1 - t0) / 1e6 / calls, (t2 - t1) / 1e6 / calls, (t3 - t2) / 1e6 / calls};
            }
            System.out.printf(
                    "%s: relu_bp %.3f ms, step + product %.3f ms, add %.3f ms%n",
                    Arrays.toString(s), ms[0], ms[1], ms[2]);
        }
    }
}
