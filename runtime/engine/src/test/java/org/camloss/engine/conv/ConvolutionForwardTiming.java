package org.camloss.engine.conv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.camloss.api.layers.ConvolutionBackward;
import org.camloss.api.layers.ConvolutionForward;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times one convolution's forward pass (batch 128, NHWC, float, with bias) three ways, alternating in one JVM, each
 * call inside a DL4J-style workspace as in a model: libnd4j's oneDNN helper as {@code FastConvolutionLayer} calls it
 * ({@link MKLDNNConvHelper#preOutput}, which creates its oneDNN primitive in every call); {@link DnnlConvolutionForward}'s
 * cached plan with oneDNN's choice of layouts (the layer's path; reorders included), as an inference plan and
 * as a training plan (both {@code forward_inference} primitives since 2026-11-30 14:02; before, training plans were
 * {@code forward_training} ones, which this harness measured slower than libnd4j). Each round times
 * {@code reps} calls of each variant (order rotating), keeps each variant's median, and the table reports the median
 * over rounds and, against libnd4j, the median of the per-round ratios with their range. Not a test: run with
 * {@code java -cp <engine test class path> org.camloss.engine.conv.ConvolutionForwardTiming [rounds] [reps]}.
 */
public final class ConvolutionForwardTiming {
    private ConvolutionForwardTiming() {}

    record Shape(String name, int h, int ci, int co, int k, int s) {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
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
                + ", reps " + reps + "; ms per forward pass; ratio = variant / libnd4j, median [min–max] of rounds");
        System.out.println("| convolution | libnd4j helper | inference plan | inference / libnd4j | training plan "
                + "| training / libnd4j | inference plan's implementation | training plan's implementation |");
        System.out.println("|---|---|---|---|---|---|---|---|");
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
        INDArray b = Nd4j.randn(DataType.FLOAT, 1, sh.co());
        ConvolutionBackward.Geometry g = new ConvolutionBackward.Geometry(
                n, h, h, sh.ci(), oh, oh, sh.co(), k, k, sh.s(), sh.s(), 1, 1, pt, pt, pb, pb, true);
        ConvolutionForward.Plan any = new DnnlConvolutionForward.DnnlForwardPlan(g, false, false, false);
        ConvolutionForward.Plan fixed = new DnnlConvolutionForward.DnnlForwardPlan(g, true, false, false);
        MKLDNNConvHelper helper = new MKLDNNConvHelper(DataType.FLOAT);
        WorkspaceConfiguration conf = WorkspaceConfiguration.builder()
                .initialSize(0)
                .policyAllocation(AllocationPolicy.OVERALLOCATE)
                .policyLearning(LearningPolicy.FIRST_LOOP)
                .build();
        String ws = "timing-" + sh.name();
        LayerWorkspaceMgr mgr =
                LayerWorkspaceMgr.builder().defaultWorkspace(ws, conf).build();
        List<Supplier<INDArray>> variants = new ArrayList<>();
        variants.add(() -> helper.preOutput(
                x,
                w,
                b,
                new int[] {k, k},
                new int[] {sh.s(), sh.s()},
                new int[] {pt, pt},
                ConvolutionLayer.AlgoMode.PREFER_FASTEST,
                ConvolutionLayer.FwdAlgo.IMPLICIT_GEMM,
                ConvolutionMode.Same,
                new int[] {1, 1},
                CNN2DFormat.NHWC,
                mgr));
        variants.add(() -> planned(any, x, w, b, n, oh, sh.co(), mgr));
        variants.add(() -> planned(fixed, x, w, b, n, oh, sh.co(), mgr));
        INDArray[] check = new INDArray[3];
        for (int v = 0; v < variants.size(); v++) { // warm-up, and the outputs agree
            for (int i = 0; i < 3; i++) {
                try (MemoryWorkspace m = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, ws)) {
                    INDArray out = variants.get(v).get();
                    check[v] = out.detach();
                }
            }
        }
        double diff = Math.max(
                check[0].sub(check[1]).amaxNumber().doubleValue(),
                check[0].sub(check[2]).amaxNumber().doubleValue());
        if (diff > 1e-5 * check[0].amaxNumber().doubleValue()) {
            throw new IllegalStateException(sh.name() + ": outputs differ by " + diff);
        }
        double[][] med = new double[variants.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int j = 0; j < variants.size(); j++) {
                int v = (j + round) % variants.size();
                double[] t = new double[reps];
                for (int i = 0; i < reps; i++) {
                    try (MemoryWorkspace m = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, ws)) {
                        long t0 = System.nanoTime();
                        variants.get(v).get();
                        t[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                med[v][round] = median(t);
            }
        }
        double[] r1 = new double[rounds];
        double[] r2 = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            r1[r] = med[1][r] / med[0][r];
            r2[r] = med[2][r] / med[0][r];
        }
        System.out.printf(
                "| %s | %.2f | %.2f | %s | %.2f | %s | %s | %s |%n",
                sh.name(),
                median(med[0]),
                median(med[1]),
                ratio(r1),
                median(med[2]),
                ratio(r2),
                any.describe(),
                fixed.describe());
    }

    private static INDArray planned(
            ConvolutionForward.Plan plan,
            INDArray x,
            INDArray w,
            INDArray b,
            int n,
            int oh,
            int co,
            LayerWorkspaceMgr mgr) {
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {n, oh, oh, co}, 'c');
        INDArray scratch = plan.scratchLength() == 0
                ? null
                : mgr.createUninitialized(
                        ArrayType.FF_WORKING_MEM, DataType.FLOAT, new long[] {plan.scratchLength()}, 'c');
        plan.forward(x, w, b, out, scratch);
        return out;
    }

    private static String ratio(double[] r) {
        double[] s = r.clone();
        Arrays.sort(s);
        return String.format("%.2f [%.2f–%.2f]", median(r), s[0], s[s.length - 1]);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
