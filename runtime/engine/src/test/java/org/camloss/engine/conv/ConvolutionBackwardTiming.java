package org.camloss.engine.conv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.camloss.api.layers.ConvolutionBackward;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times one convolution's backward pass (batch 128, NHWC, float) three ways, alternating in one JVM: libnd4j's
 * generic {@code conv2d_bp}; Change 9's two forward convolutions (stride-1 {@code Same} shapes only); oneDNN's backward
 * primitives ({@link DnnlConvolutionBackward}'s plan, reorders included, whether or not its rule would use it). Each round times
 * {@code reps} calls of each variant (order rotating), keeps each variant's median, and the table reports the median
 * over rounds and, against the generic op, the median of the per-round ratios with their range. Not a test: run with
 * {@code java -cp <engine test class path> org.camloss.engine.conv.ConvolutionBackwardTiming [rounds] [reps]}.
 */
public final class ConvolutionBackwardTiming {
    private ConvolutionBackwardTiming() {}

    record Shape(String name, int h, int ci, int co, int k, int s) {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int n = 128;
        List<Shape> shapes = List.of(
                new Shape("R8 stem 1→16 28²", 28, 1, 16, 3, 1),
                new Shape("R8 s1 16→16 28²", 28, 16, 16, 3, 1),
                new Shape("R8 s2 16→32 28²/2", 28, 16, 32, 3, 2),
                new Shape("R8 s2 1×1 16→32 /2", 28, 16, 32, 1, 2),
                new Shape("R8 s2 32→32 14²", 14, 32, 32, 3, 1),
                new Shape("R8 s3 32→64 14²/2", 14, 32, 64, 3, 2),
                new Shape("R8 s3 1×1 32→64 /2", 14, 32, 64, 1, 2),
                new Shape("R8 s3 64→64 7²", 7, 64, 64, 3, 1),
                new Shape("R20 stem 3→16 32²", 32, 3, 16, 3, 1),
                new Shape("R20 s1 16→16 32²", 32, 16, 16, 3, 1),
                new Shape("R20 s2 16→32 32²/2", 32, 16, 32, 3, 2),
                new Shape("R20 s2 32→32 16²", 16, 32, 32, 3, 1),
                new Shape("R20 s3 32→64 16²/2", 16, 32, 64, 3, 2),
                new Shape("R20 s3 64→64 8²", 8, 64, 64, 3, 1));
        System.out.println("threads " + Nd4j.getEnvironment().maxThreads() + ", batch " + n + ", rounds " + rounds
                + ", reps " + reps + "; ms per backward pass; ratio = variant / generic, median [min–max] of rounds");
        System.out.println("| convolution | generic conv2d_bp | two forward (Change 9) | oneDNN | oneDNN / generic "
                + "| oneDNN implementation |");
        System.out.println("|---|---|---|---|---|---|");
        for (Shape sh : shapes) {
            run(sh, n, rounds, reps);
        }
    }

    private static void run(Shape sh, int n, int rounds, int reps) {
        int h = sh.h();
        int oh = (h + sh.s() - 1) / sh.s();
        int k = sh.k();
        int total = Math.max(0, (oh - 1) * sh.s() + k - h);
        int pt = total / 2;
        int pb = total - pt;
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, h, h, sh.ci());
        INDArray w = Nd4j.randn(DataType.FLOAT, sh.co(), sh.ci(), k, k);
        INDArray dy = Nd4j.randn(DataType.FLOAT, n, oh, oh, sh.co());
        INDArray wk = w.permute(2, 3, 1, 0).dup('c');
        INDArray b = Nd4j.zeros(DataType.FLOAT, sh.co());
        INDArray gi = Nd4j.create(DataType.FLOAT, n, h, h, sh.ci());
        INDArray gw = Nd4j.create(DataType.FLOAT, k, k, sh.ci(), sh.co());
        INDArray gb = Nd4j.create(DataType.FLOAT, sh.co());
        INDArray dw = Nd4j.create(DataType.FLOAT, sh.co(), sh.ci(), k, k);
        INDArray db = Nd4j.create(DataType.FLOAT, 1, sh.co());
        ConvolutionBackward.Geometry g = new ConvolutionBackward.Geometry(
                n, h, h, sh.ci(), oh, oh, sh.co(), k, k, sh.s(), sh.s(), 1, 1, pt, pt, pb, pb, true);
        ConvolutionBackward.Plan any = new DnnlConvolutionBackward.DnnlPlan(g);
        INDArray scratch = any.scratchLength() > 0 ? Nd4j.create(DataType.FLOAT, any.scratchLength()) : null;
        boolean byForward = sh.s() == 1 && k % 2 == 1;
        INDArray xt = Nd4j.create(DataType.FLOAT, sh.ci(), h, h, n);
        INDArray gt = Nd4j.create(DataType.FLOAT, h, h, n, sh.co());
        INDArray gw2 = Nd4j.create(DataType.FLOAT, sh.ci(), k, k, sh.co());
        INDArray wf = Nd4j.create(DataType.FLOAT, k, k, sh.co(), sh.ci());
        List<Runnable> variants = new ArrayList<>();
        variants.add(() -> Nd4j.exec(DynamicCustomOp.builder("conv2d_bp")
                .addInputs(x, wk, b, dy)
                .addOutputs(gi, gw, gb)
                .addIntegerArguments(k, k, sh.s(), sh.s(), pt, pt, 1, 1, 1, 1, 0)
                .build()));
        variants.add(() -> {
            if (!byForward) {
                return;
            }
            int p = (k - 1) / 2;
            xt.assign(x.permute(3, 1, 2, 0));
            gt.assign(dy.permute(1, 2, 0, 3));
            conv2d(xt, gt, gw2, h, h, p, false);
            dw.assign(gw2.permute(3, 0, 1, 2));
            conv2d(dy, wf, gi, k, k, p, true);
            db.assign(dy.reshape('c', (long) n * oh * oh, sh.co()).sum(0).reshape(1, sh.co()));
        });
        variants.add(() -> any.backward(x, w, dy, gi, dw, db, scratch));
        for (Runnable r : variants) { // warm-up
            for (int i = 0; i < 3; i++) {
                r.run();
            }
        }
        double[][] med = new double[variants.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int j = 0; j < variants.size(); j++) {
                int v = (j + round) % variants.size();
                double[] t = new double[reps];
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    variants.get(v).run();
                    t[i] = (System.nanoTime() - t0) / 1e6;
                }
                med[v][round] = median(t);
            }
        }
        double[] ra = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ra[r] = med[2][r] / med[0][r];
        }
        System.out.printf(
                "| %s | %.2f | %s | %.2f | %s | %s |%n",
                sh.name(),
                median(med[0]),
                byForward ? String.format("%.2f", median(med[1])) : "—",
                median(med[2]),
                ratio(ra),
                any.describe());
    }

    private static String ratio(double[] r) {
        double[] s = r.clone();
        Arrays.sort(s);
        return String.format("%.2f [%.2f–%.2f]", median(r), s[0], s[s.length - 1]);
    }

    private static void conv2d(INDArray in, INDArray kernel, INDArray out, int kh, int kw, int pad, boolean same) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(in, kernel)
                .addOutputs(out)
                .addIntegerArguments(kh, kw, 1, 1, pad, pad, 1, 1, same ? 1 : 0, 1, 0)
                .build());
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
