package org.camloss.engine.conv;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc_iterator;
import org.bytedeco.dnnl.dnnl_stream;
import org.camloss.api.layers.ConvolutionBackward.Geometry;
import org.camloss.api.layers.ConvolutionForward;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Step 0a of {@code docs/design/blocked-layout-inference.md}: a go/no-go gate for keeping oneDNN's blocked layout
 * ({@code nChw16c}, {@code dnnl_aBcd16b}) between the folded convolutions of an inference pass. For every convolution
 * of ResNet-8 28×28×1 and ResNet-20 32×32×3 (batch 128, float, bias, the post-ops the folded pass gives it: ReLU after a
 * block's first convolution and the stem, sum then ReLU after its second, none on a 1×1 shortcut), alternating in one
 * JVM:
 *
 * <ul>
 *   <li><b>today</b>: {@link DnnlConvolutionForward}'s inference plan as the folded pass calls it (NHWC in and out,
 *       {@code brgconv} or Winograd with its reorders; the weights reordered in every call, as freshly folded weights
 *       are, except Winograd's which the plan keeps);
 *   <li><b>blocked</b>: the direct primitive with {@code nChw16c} source (oneDNN's choice, {@code any}, for fewer than 16
 *       input channels, given the NHWC network input) and {@code nChw16c} output, the same post-ops, the weights
 *       reordered in every call, no reorder of activations — what a pass kept blocked end to end would run;
 *   <li><b>blocked, next kernel</b>: the same, with the implementation after oneDNN's first choice (the primitive
 *       descriptor iterator), where there is one — the design's fallback for 2.5.2's slow blocked 1×1 stride-2 kernel;
 *   <li><b>blocked Winograd</b>: for the Winograd geometries of today's plan, Winograd on blocked activations with the
 *       weights kept (as today's Winograd plan keeps them).
 * </ul>
 *
 * Each round times {@code reps} calls of each variant (order rotating); the table gives the median over rounds of each
 * variant's median call, and the per-pass sums weighted by how often each convolution occurs. The gate (design doc,
 * step 0a): go if Σ(best blocked) ≤ Σ(today) − 2.0 ms per ResNet-8 pass. Not a test: run with {@code java -cp <engine
 * test class path> org.camloss.engine.conv.BlockedForwardProbe [rounds] [reps]}.
 */
public final class BlockedForwardProbe {
    private BlockedForwardProbe() {}

    /** One convolution of a network: its name, geometry, post-ops and how many times a pass runs it. */
    record Conv(String name, int h, int cin, int cout, int k, int stride, boolean relu, boolean sum, int count) {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<Conv> r8 = List.of(
                new Conv("stem 1→16 28²", 28, 1, 16, 3, 1, true, false, 1),
                new Conv("s1 conv1 16→16 28²", 28, 16, 16, 3, 1, true, false, 1),
                new Conv("s1 conv2 16→16 28² +sum", 28, 16, 16, 3, 1, true, true, 1),
                new Conv("s2 conv1 16→32 s2", 28, 16, 32, 3, 2, true, false, 1),
                new Conv("s2 short 1×1 16→32 s2", 28, 16, 32, 1, 2, false, false, 1),
                new Conv("s2 conv2 32→32 14² +sum", 14, 32, 32, 3, 1, true, true, 1),
                new Conv("s3 conv1 32→64 s2", 14, 32, 64, 3, 2, true, false, 1),
                new Conv("s3 short 1×1 32→64 s2", 14, 32, 64, 1, 2, false, false, 1),
                new Conv("s3 conv2 64→64 7² +sum", 7, 64, 64, 3, 1, true, true, 1));
        List<Conv> r20 = List.of(
                new Conv("stem 3→16 32²", 32, 3, 16, 3, 1, true, false, 1),
                new Conv("s1 conv1 16→16 32²", 32, 16, 16, 3, 1, true, false, 3),
                new Conv("s1 conv2 16→16 32² +sum", 32, 16, 16, 3, 1, true, true, 3),
                new Conv("s2 b0 conv1 16→32 s2", 32, 16, 32, 3, 2, true, false, 1),
                new Conv("s2 short 1×1 16→32 s2", 32, 16, 32, 1, 2, false, false, 1),
                new Conv("s2 conv1 32→32 16²", 16, 32, 32, 3, 1, true, false, 2),
                new Conv("s2 conv2 32→32 16² +sum", 16, 32, 32, 3, 1, true, true, 3),
                new Conv("s3 b0 conv1 32→64 s2", 16, 32, 64, 3, 2, true, false, 1),
                new Conv("s3 short 1×1 32→64 s2", 16, 32, 64, 1, 2, false, false, 1),
                new Conv("s3 conv1 64→64 8²", 8, 64, 64, 3, 1, true, false, 2),
                new Conv("s3 conv2 64→64 8² +sum", 8, 64, 64, 3, 1, true, true, 3));
        System.out.println("threads " + Nd4j.getEnvironment().maxThreads() + ", batch 128, rounds " + rounds + ", reps "
                + reps + "; ms per call, median over rounds of each round's median");
        table("ResNet-8 28×28×1", r8, rounds, reps);
        table("ResNet-20 32×32×3", r20, rounds, reps);
    }

    private static void table(String net, List<Conv> convs, int rounds, int reps) {
        System.out.println();
        System.out.println("## " + net);
        System.out.println(
                "| convolution | × | today | blocked | blocked, next kernel | blocked Winograd | best blocked"
                        + " / today | today's kernel | blocked kernel | next kernel |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        double today = 0;
        double blocked = 0;
        for (Conv c : convs) {
            double[] t = probe(c, rounds, reps);
            today += c.count() * t[0];
            blocked += c.count() * t[1];
        }
        System.out.printf(
                "per pass: today %.3f ms, best blocked %.3f ms, saving %.3f ms (%.1f %%)%n",
                today, blocked, today - blocked, 100 * (today - blocked) / today);
    }

    /** Times the variants of one convolution and prints its row; returns {today, the best blocked variant}, ms. */
    private static double[] probe(Conv c, int rounds, int reps) {
        int n = 128;
        int h = c.h();
        int oh = (h + c.stride() - 1) / c.stride();
        int total = Math.max(0, (oh - 1) * c.stride() + c.k() - h);
        int pt = total / 2;
        int pb = total - pt;
        Geometry g = new Geometry(
                n, h, h, c.cin(), oh, oh, c.cout(), c.k(), c.k(), c.stride(), c.stride(), 1, 1, pt, pt, pb, pb, true);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, h, h, c.cin());
        INDArray w = Nd4j.rand(DataType.FLOAT, c.cout(), c.cin(), c.k(), c.k()).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, c.cout()).subi(0.5);
        INDArray y = Nd4j.rand(DataType.FLOAT, n, oh, oh, c.cout());

        ConvolutionForward.Plan plan = new DnnlConvolutionForward()
                .plan(g, false, c.relu(), c.sum())
                .orElseThrow(() -> new IllegalStateException("no plan for " + c));
        INDArray scratch = Nd4j.create(DataType.FLOAT, Math.max(1, plan.scratchLength()));
        boolean wino = DnnlConvolutionForward.winograd(g);

        Blocked blocked = Blocked.create(g, c, dnnl_convolution_direct, 0, x, w, b);
        Blocked next = Blocked.create(g, c, dnnl_convolution_direct, 1, x, w, b);
        Blocked winoBlocked = wino ? Blocked.create(g, c, dnnl_convolution_winograd, 0, x, w, b) : null;
        Runnable[] variants = {
            () -> plan.forward(x, w, b, y, scratch),
            blocked == null ? null : () -> blocked.run(true),
            next == null ? null : () -> next.run(true),
            winoBlocked == null ? null : () -> winoBlocked.run(false)
        };
        double[][] t = new double[variants.length][rounds];
        for (int r = 0; r < rounds + 1; r++) { // round 0 warms up
            for (int k = 0; k < variants.length; k++) {
                int v = (k + r) % variants.length;
                if (variants[v] == null) {
                    continue;
                }
                double[] each = new double[reps];
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    variants[v].run();
                    each[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(each);
                if (r > 0) {
                    t[v][r - 1] = each[reps / 2];
                }
            }
        }
        double[] med = new double[variants.length];
        for (int v = 0; v < variants.length; v++) {
            Arrays.sort(t[v]);
            med[v] = variants[v] == null ? Double.POSITIVE_INFINITY : t[v][rounds / 2];
        }
        double best = Math.min(med[1], Math.min(med[2], med[3]));
        System.out.printf(
                "| %s | %d | %.3f | %s | %s | %s | %.2f | %s | %s | %s |%n",
                c.name(),
                c.count(),
                med[0],
                fmt(med[1]),
                fmt(med[2]),
                fmt(med[3]),
                best / med[0],
                plan.describe(),
                blocked == null ? "-" : blocked.impl,
                next == null ? "-" : next.impl);
        return new double[] {med[0], best};
    }

    private static String fmt(double v) {
        return Double.isInfinite(v) ? "-" : String.format("%.3f", v);
    }

    /**
     * A direct or Winograd inference convolution on blocked activations: source {@code nChw16c} for 16 or more input
     * channels (else oneDNN's choice for the NHWC input: a reorder in if it wants another), output {@code nChw16c},
     * weights reordered from [out, in, kh, kw] into the primitive's layout.
     */
    private static final class Blocked {
        private static final List<Object> KEEP = new ArrayList<>();

        final String impl;
        final dnnl_stream stream = new dnnl_stream();
        final dnnl_primitive conv = new dnnl_primitive();
        final dnnl_exec_arg_t args = new dnnl_exec_arg_t(4);
        dnnl_primitive weightsReorder;
        final dnnl_exec_arg_t weightsArgs = new dnnl_exec_arg_t(2);
        dnnl_primitive srcReorder;
        final dnnl_exec_arg_t srcArgs = new dnnl_exec_arg_t(2);

        private Blocked(dnnl_primitive_desc pd, Conv c, INDArray x, INDArray w, INDArray b) {
            dnnl_engine e = Dnnl.Engine.get();
            Dnnl.check(dnnl_stream_create(stream, e, dnnl_stream_default_flags), "stream");
            impl = Dnnl.implName(pd);
            Dnnl.check(dnnl_primitive_create(conv, pd), "primitive");
            dnnl_memory_desc_t srcMd = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
            dnnl_memory_desc_t dstMd = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
            dnnl_memory_desc_t wMd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            long[] srcDims = {x.size(0), x.size(3), x.size(1), x.size(2)};
            dnnl_memory_desc_t nhwc = Dnnl.md(srcDims, dnnl_nhwc);
            dnnl_memory src;
            if (dnnl_memory_desc_equal(srcMd, nhwc) != 0) {
                src = memory(nhwc, e, x);
            } else {
                dnnl_memory userX = memory(nhwc, e, x);
                src = memory(srcMd, e, null);
                // a blocked source stands for the previous layer's blocked output: its contents need not match x
                if (c.cin() < 16) {
                    srcReorder = reorder(nhwc, srcMd, e);
                    srcArgs.position(0).arg(DNNL_ARG_FROM).memory(userX);
                    srcArgs.position(1).arg(DNNL_ARG_TO).memory(src);
                    srcArgs.position(0);
                }
            }
            dnnl_memory dst = memory(dstMd, e, null);
            dnnl_memory_desc_t oihw = Dnnl.md(w.shape(), dnnl_oihw);
            dnnl_memory userW = memory(oihw, e, w);
            dnnl_memory wts = memory(wMd, e, null);
            weightsReorder = reorder(oihw, wMd, e);
            weightsArgs.position(0).arg(DNNL_ARG_FROM).memory(userW);
            weightsArgs.position(1).arg(DNNL_ARG_TO).memory(wts);
            weightsArgs.position(0);
            Dnnl.check(dnnl_primitive_execute(weightsReorder, stream, 2, weightsArgs), "weights");
            dnnl_memory bias = memory(Dnnl.md(new long[] {b.length()}, dnnl_a), e, b);
            args.position(0).arg(DNNL_ARG_SRC).memory(src);
            args.position(1).arg(DNNL_ARG_WEIGHTS).memory(wts);
            args.position(2).arg(DNNL_ARG_BIAS).memory(bias);
            args.position(3).arg(DNNL_ARG_DST).memory(dst);
            args.position(0);
        }

        /**
         * The primitive for {@code algorithm}, or with {@code skip} > 0 the implementation that many places after
         * oneDNN's first choice; null where there is none.
         */
        static Blocked create(Geometry g, Conv c, int algorithm, int skip, INDArray x, INDArray w, INDArray b) {
            long[] srcDims = {g.n(), g.cin(), g.h(), g.w()};
            long[] dstDims = {g.n(), g.cout(), g.oh(), g.ow()};
            long[] wDims = {g.cout(), g.cin(), g.kh(), g.kw()};
            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
            int status = dnnl_dilated_convolution_forward_desc_init(
                    fd,
                    dnnl_forward_inference,
                    algorithm,
                    Dnnl.md(srcDims, c.cin() >= 16 ? dnnl_aBcd16b : dnnl_format_tag_any),
                    Dnnl.md(wDims, dnnl_format_tag_any),
                    Dnnl.md(new long[] {g.cout()}, dnnl_a),
                    Dnnl.md(dstDims, dnnl_aBcd16b),
                    new long[] {g.strideH(), g.strideW()},
                    new long[] {0, 0},
                    new long[] {g.padTop(), g.padLeft()},
                    new long[] {g.padBottom(), g.padRight()});
            if (status != dnnl_success) {
                return null;
            }
            dnnl_primitive_attr attr = postOps(c.relu(), c.sum());
            dnnl_primitive_desc_iterator it = new dnnl_primitive_desc_iterator();
            status = dnnl_primitive_desc_iterator_create(
                    it, new const_dnnl_op_desc_t(fd), attr, Dnnl.Engine.get(), null);
            if (status != dnnl_success) {
                return null;
            }
            for (int i = 0; i < skip; i++) {
                if (dnnl_primitive_desc_iterator_next(it) != dnnl_success) {
                    return null;
                }
            }
            dnnl_primitive_desc pd = dnnl_primitive_desc_iterator_fetch(it);
            if (pd == null || pd.isNull()) {
                return null;
            }
            KEEP.add(it);
            KEEP.add(attr);
            return new Blocked(pd, c, x, w, b);
        }

        void run(boolean reorderWeights) {
            if (srcReorder != null) {
                Dnnl.check(dnnl_primitive_execute(srcReorder, stream, 2, srcArgs), "source");
            }
            if (reorderWeights) {
                Dnnl.check(dnnl_primitive_execute(weightsReorder, stream, 2, weightsArgs), "weights");
            }
            Dnnl.check(dnnl_primitive_execute(conv, stream, 4, args), "convolution");
            Dnnl.check(dnnl_stream_wait(stream), "wait");
        }

        private static dnnl_primitive_attr postOps(boolean relu, boolean sum) {
            dnnl_primitive_attr attr = new dnnl_primitive_attr();
            Dnnl.check(dnnl_primitive_attr_create(attr), "attr");
            dnnl_post_ops po = new dnnl_post_ops();
            Dnnl.check(dnnl_post_ops_create(po), "post-ops");
            if (sum) {
                Dnnl.check(dnnl_post_ops_append_sum(po, 1.0f), "sum");
            }
            if (relu) {
                Dnnl.check(dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0f, 0f), "relu");
            }
            Dnnl.check(dnnl_primitive_attr_set_post_ops(attr, po), "set post-ops");
            return attr;
        }

        private static dnnl_memory memory(dnnl_memory_desc_t md, dnnl_engine e, INDArray a) {
            if (a == null) {
                a = Nd4j.rand(DataType.FLOAT, (dnnl_memory_desc_get_size(md) + 3) / 4 + 16);
            }
            KEEP.add(a);
            dnnl_memory m = new dnnl_memory();
            Dnnl.check(dnnl_memory_create(m, md, e, new Dnnl.Address().at(Dnnl.address(a))), "memory");
            KEEP.add(m);
            return m;
        }

        private static dnnl_primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to, dnnl_engine e) {
            dnnl_primitive_desc rpd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_reorder_primitive_desc_create(rpd, from, e, to, e, null), "reorder desc");
            dnnl_primitive p = new dnnl_primitive();
            Dnnl.check(dnnl_primitive_create(p, rpd), "reorder");
            return p;
        }
    }
}
