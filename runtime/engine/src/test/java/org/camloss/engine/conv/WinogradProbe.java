package org.camloss.engine.conv;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether oneDNN 2.5.2's Winograd convolution would do a ResNet-8 block convolution (3×3, stride 1, batch 128, float,
 * inference) faster than the direct one camloss uses, on this machine. Three ways, alternating in one JVM: the direct
 * primitive on NHWC activations (oneDNN's choice of weights layout, as {@link DnnlConvolutionForward}); the Winograd
 * primitive ({@code dnnl_convolution_winograd}, every layout oneDNN's choice) with the NHWC input reordered in and the
 * output reordered out, as it would run inside an NHWC network; and the Winograd primitive alone, the best case of a
 * network kept in oneDNN's blocked layout throughout; and direct and Winograd (with its NHWC reorders) with the weights
 * reordered into the primitive's layout in every call, as camloss's folded inference does (it folds batch norm into the
 * weights in every pass). Otherwise weights are reordered once, outside the timing. Prints
 * each variant's median over rounds and whether Winograd exists for the geometry (oneDNN 2.5.2 has it for AVX-512
 * only, with channels a multiple of 16). Not a test: run with {@code java -cp <engine test class path>
 * org.camloss.engine.conv.WinogradProbe [rounds] [reps]}.
 */
public final class WinogradProbe {
    private WinogradProbe() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        // the three stages of ResNet-8 28×28×1, then of ResNet-20 32×32×3: side, channels
        int[][] shapes = {{28, 16}, {14, 32}, {7, 64}, {32, 16}, {16, 32}, {8, 64}};
        for (int[] s : shapes) {
            probe(128, s[0], s[1], rounds, reps);
        }
    }

    private static void probe(int n, int side, int c, int rounds, int reps) {
        dnnl_engine e = Dnnl.Engine.get();
        dnnl_stream stream = new dnnl_stream();
        Dnnl.check(dnnl_stream_create(stream, e, dnnl_stream_default_flags), "stream");
        long[] act = {n, c, side, side};
        long[] wd = {c, c, 3, 3};
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, side, side, c);
        INDArray w = Nd4j.rand(DataType.FLOAT, c, c, 3, 3).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, c);
        INDArray y = Nd4j.create(DataType.FLOAT, n, side, side, c);
        Conv direct = new Conv(e, dnnl_convolution_direct, Dnnl.md(act, dnnl_nhwc), wd, act);
        Conv wino;
        try {
            wino = new Conv(e, dnnl_convolution_winograd, Dnnl.md(act, dnnl_format_tag_any), wd, act);
        } catch (IllegalStateException ex) {
            System.out.printf(
                    "%d×%d, %d→%d: no Winograd primitive (%s); direct %s%n",
                    side, side, c, c, ex.getMessage(), Dnnl.implName(direct.pd));
            return;
        }
        direct.bind(x, w, b, y, stream);
        wino.bind(x, w, b, y, stream);
        double[][] t = new double[5][rounds];
        for (int r = 0; r < rounds + 1; r++) { // round 0 warms up
            for (int k = 0; k < 5; k++) {
                int v = (k + r) % 5;
                double[] each = new double[reps];
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    switch (v) {
                        case 0 -> direct.run(stream, false);
                        case 1 -> wino.run(stream, true);
                        case 2 -> wino.run(stream, false);
                        case 3 -> {
                            direct.weights.run(stream);
                            direct.run(stream, false);
                        }
                        default -> {
                            wino.weights.run(stream);
                            wino.run(stream, true);
                        }
                    }
                    each[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(each);
                if (r > 0) {
                    t[v][r - 1] = each[reps / 2];
                }
            }
        }
        for (double[] v : t) {
            Arrays.sort(v);
        }
        System.out.printf(
                "%d×%d, %d→%d, batch %d: direct (%s, NHWC) %.3f ms; Winograd (%s) with NHWC reorders in and out %.3f ms;"
                        + " Winograd alone (blocked layouts) %.3f ms; with the weights reordered in every call (as a"
                        + " folded pass does): direct %.3f ms, Winograd %.3f ms (medians of %d rounds of %d calls)%n",
                side,
                side,
                c,
                c,
                n,
                Dnnl.implName(direct.pd),
                t[0][rounds / 2],
                Dnnl.implName(wino.pd),
                t[1][rounds / 2],
                t[2][rounds / 2],
                t[3][rounds / 2],
                t[4][rounds / 2],
                rounds,
                reps);
    }

    /** One inference convolution 3×3, stride 1, pad 1, with bias; activations in {@code actMd}'s layout. */
    private static final class Conv {
        final dnnl_primitive_desc pd = new dnnl_primitive_desc();
        final dnnl_primitive conv = new dnnl_primitive();
        final dnnl_memory_desc_t srcMd;
        final dnnl_memory_desc_t dstMd;
        final dnnl_memory_desc_t wMd;
        final dnnl_memory_desc_t nhwc;
        dnnl_memory src;
        dnnl_memory dst;
        dnnl_memory wts;
        dnnl_memory bias;
        dnnl_memory userX;
        dnnl_memory userY;
        dnnl_primitive inReorder;
        dnnl_primitive outReorder;
        /** The weights' reorder from DL4J's [out, in, kh, kw] into the primitive's layout (Winograd's: transformed). */
        Reorder weights;

        final dnnl_exec_arg_t args = new dnnl_exec_arg_t(4);
        final dnnl_exec_arg_t inArgs = new dnnl_exec_arg_t(2);
        final dnnl_exec_arg_t outArgs = new dnnl_exec_arg_t(2);

        Conv(dnnl_engine e, int algorithm, dnnl_memory_desc_t actMd, long[] wd, long[] act) {
            nhwc = Dnnl.md(act, dnnl_nhwc);
            dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
            Dnnl.check(
                    dnnl_dilated_convolution_forward_desc_init(
                            d,
                            dnnl_forward_inference,
                            algorithm,
                            actMd,
                            Dnnl.md(wd, dnnl_format_tag_any),
                            Dnnl.md(new long[] {wd[0]}, dnnl_a),
                            actMd,
                            new long[] {1, 1},
                            new long[] {0, 0},
                            new long[] {1, 1},
                            new long[] {1, 1}),
                    "convolution desc");
            Dnnl.check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), null, e, null), "primitive desc");
            Dnnl.check(dnnl_primitive_create(conv, pd), "primitive");
            srcMd = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
            dstMd = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
            wMd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        }

        /** Memories for every tensor (internal ones of their own), the weights reordered into the primitive's layout. */
        void bind(INDArray x, INDArray w, INDArray b, INDArray y, dnnl_stream s) {
            dnnl_engine e = Dnnl.Engine.get();
            userX = memory(nhwc, e, x);
            userY = memory(nhwc, e, y);
            src = dnnl_memory_desc_equal(srcMd, nhwc) != 0 ? userX : memory(srcMd, e, null);
            dst = dnnl_memory_desc_equal(dstMd, nhwc) != 0 ? userY : memory(dstMd, e, null);
            wts = memory(wMd, e, null);
            bias = memory(Dnnl.md(new long[] {b.length()}, dnnl_a), e, b);
            dnnl_memory_desc_t oihw = Dnnl.md(w.shape(), dnnl_oihw);
            dnnl_memory userW = memory(oihw, e, w);
            weights = reorder(oihw, userW, wMd, wts, e);
            weights.run(s);
            if (src != userX) {
                inReorder = reorder(nhwc, userX, srcMd, src, e).primitive;
                inArgs.position(0).arg(DNNL_ARG_FROM).memory(userX);
                inArgs.position(1).arg(DNNL_ARG_TO).memory(src);
                inArgs.position(0);
            }
            if (dst != userY) {
                outReorder = reorder(dstMd, dst, nhwc, userY, e).primitive;
                outArgs.position(0).arg(DNNL_ARG_FROM).memory(dst);
                outArgs.position(1).arg(DNNL_ARG_TO).memory(userY);
                outArgs.position(0);
            }
            args.position(0).arg(DNNL_ARG_SRC).memory(src);
            args.position(1).arg(DNNL_ARG_WEIGHTS).memory(wts);
            args.position(2).arg(DNNL_ARG_BIAS).memory(bias);
            args.position(3).arg(DNNL_ARG_DST).memory(dst);
            args.position(0);
        }

        void run(dnnl_stream s, boolean withReorders) {
            if (withReorders && inReorder != null) {
                Dnnl.check(dnnl_primitive_execute(inReorder, s, 2, inArgs), "reorder in");
            }
            Dnnl.check(dnnl_primitive_execute(conv, s, 4, args), "convolution");
            if (withReorders && outReorder != null) {
                Dnnl.check(dnnl_primitive_execute(outReorder, s, 2, outArgs), "reorder out");
            }
            Dnnl.check(dnnl_stream_wait(s), "wait");
        }

        /** Buffers for internal memories, kept reachable for the probe's life. */
        private static final java.util.List<INDArray> KEEP = new java.util.ArrayList<>();

        private static dnnl_memory memory(dnnl_memory_desc_t md, dnnl_engine e, INDArray a) {
            if (a == null) {
                a = Nd4j.create(DataType.FLOAT, (dnnl_memory_desc_get_size(md) + 3) / 4 + 16);
                KEEP.add(a);
            }
            dnnl_memory m = new dnnl_memory();
            Dnnl.check(dnnl_memory_create(m, md, e, new Dnnl.Address().at(Dnnl.address(a))), "memory");
            return m;
        }

        private record Reorder(dnnl_primitive primitive, dnnl_exec_arg_t args) {
            void run(dnnl_stream s) {
                Dnnl.check(dnnl_primitive_execute(primitive, s, 2, args), "reorder");
                Dnnl.check(dnnl_stream_wait(s), "wait");
            }
        }

        private static Reorder reorder(
                dnnl_memory_desc_t fromMd, dnnl_memory from, dnnl_memory_desc_t toMd, dnnl_memory to, dnnl_engine e) {
            dnnl_primitive_desc rpd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_reorder_primitive_desc_create(rpd, fromMd, e, toMd, e, null), "reorder desc");
            dnnl_primitive p = new dnnl_primitive();
            Dnnl.check(dnnl_primitive_create(p, rpd), "reorder");
            dnnl_exec_arg_t a = new dnnl_exec_arg_t(2);
            a.position(0).arg(DNNL_ARG_FROM).memory(from);
            a.position(1).arg(DNNL_ARG_TO).memory(to);
            a.position(0);
            return new Reorder(p, a);
        }
    }
}
