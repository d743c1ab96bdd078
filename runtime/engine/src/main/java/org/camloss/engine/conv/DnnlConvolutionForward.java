package org.camloss.engine.conv;

import static org.bytedeco.dnnl.global.dnnl.*;
import static org.camloss.engine.conv.Dnnl.*;

import java.util.Optional;
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
import org.bytedeco.dnnl.dnnl_stream;
import org.camloss.api.layers.ConvolutionBackward.Geometry;
import org.camloss.api.layers.ConvolutionForward;
import org.camloss.engine.HostMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward pass of NHWC float convolutions on a oneDNN forward primitive created once per geometry, called through
 * the JavaCPP presets {@code org.bytedeco:dnnl:2.5.2-1.5.7} (as {@link DnnlConvolutionBackward}): libnd4j 1.0.0-M2.1's
 * oneDNN helper creates its primitive (and the reorders) in every call.
 *
 * <p>oneDNN chooses the layouts ({@code format_tag_any}); where its choice differs from the arrays' (NHWC activations,
 * DL4J's [out, in, kh, kw] weights, i.e. oihw) the input and weights are reordered into, and the output out of, the
 * scratch array the layer allocates in its workspace.
 *
 * <p>Every plan, for training as for inference, is a {@code forward_inference} primitive: a convolution keeps nothing
 * for its backward pass (the backward plans make their own {@code forward_training} hint), so the output is the same,
 * and oneDNN 2.5.2 picks faster kernels for it on this project's machine — {@code brgconv:avx512_core} with NHWC
 * activations, where {@code forward_training} picks {@code jit:avx512_common} with blocked layouts and reorders,
 * 0.7–1.5× libnd4j's time and 17× for a 1×1 stride-2 convolution (ConvolutionForwardTiming, 2026-11-30 14:01).
 *
 * <p>A ReLU plan ({@link #plan(Geometry, boolean, boolean)}) is the same primitive with an eltwise ReLU post-op on its
 * attribute ({@code dnnl_post_ops_append_eltwise(po, 1, dnnl_eltwise_relu, 0, 0)}): oneDNN applies it to the
 * accumulator after the bias, before the output is written, so the output makes one trip to memory. A sum plan
 * ({@link #plan(Geometry, boolean, boolean, boolean)}) puts a sum post-op (scale 1) ahead of it: the primitive reads
 * the output's prior contents and adds them to the accumulator (a residual block's add, Change 16).
 */
public final class DnnlConvolutionForward implements ConvolutionForward {

    /**
     * System property: {@code false} keeps every inference plan on the direct convolution; anything else, or unset,
     * lets the geometries of {@link #winograd} use oneDNN's Winograd convolution.
     */
    public static final String WINOGRAD_PROPERTY = "camloss.convolution.winograd";

    /** Winograd's fewest channels in and out, and its largest output map (pixels), by measurement. */
    static final long WINOGRAD_CHANNELS = 64;

    static final long WINOGRAD_MAP = 8 * 8;

    /**
     * Whether an inference plan for {@code g} asks oneDNN for its Winograd convolution ({@code jit_wino_4x3}, F(4×4,
     * 3×3): 2.25× fewer multiplications, its own blocked layouts, the NHWC activations reordered in and out, and for a
     * sum plan the output's prior contents reordered in too): 3×3, stride 1, no dilation, padding 1, at least
     * {@value #WINOGRAD_CHANNELS} channels in and out (multiples of 16), output maps of at most {@value #WINOGRAD_MAP}
     * pixels whose sides are multiples of 4 (Winograd's 4×4 tiles), and {@value #WINOGRAD_PROPERTY} not {@code false}.
     * Where oneDNN has no Winograd kernel (it has one for AVX-512 only) the plan stays direct. The plan keeps the
     * transformed weights and transforms them again only when the weights it is given change (a folded pass hands it
     * freshly folded weights every pass; the transform costs ~0.5 ms for 64→64, more than Winograd saves).
     *
     * <p>Measured on this project's machine (batch 128, 2 threads; {@code WinogradProbe}, 2026-11-30, Winograd with its
     * reorders / direct NHWC per call): 64→64 at 8² 0.64, at 7² 0.78; 32→32 at 16² 0.90, at 14² 1.15; 16→16 at 28²
     * 1.07, at 32² 1.81. In the model ({@code WinogradTiming}, folded inference passes in one JVM, direct / Winograd
     * time): ResNet-20 32×32×3 1.041 [1.011–1.064] and 1.049 [1.014–1.066] in two runs (its five 64-channel 8×8
     * layers), but ResNet-8 28×28×1 0.980 [0.934–1.019] with its one 7×7 layer (a sum plan) allowed, hence the
     * tile-aligned sides. Training plans stay direct: Winograd rounds differently from the direct convolution (float,
     * within ~1e-5 of the values' scale), which a pass that is then differentiated should not.
     */
    static boolean winograd(Geometry g) {
        return !"false".equals(System.getProperty(WINOGRAD_PROPERTY))
                && g.kh() == 3
                && g.kw() == 3
                && g.strideH() == 1
                && g.strideW() == 1
                && g.dilationH() == 1
                && g.dilationW() == 1
                && g.padTop() == 1
                && g.padLeft() == 1
                && g.padBottom() == 1
                && g.padRight() == 1
                && g.cin() >= WINOGRAD_CHANNELS
                && g.cout() >= WINOGRAD_CHANNELS
                && g.cin() % 16 == 0
                && g.cout() % 16 == 0
                && g.oh() * g.ow() <= WINOGRAD_MAP
                && g.oh() % 4 == 0
                && g.ow() % 4 == 0;
    }

    /** Loads the natives and creates the CPU engine; fails (at discovery) if they cannot load. */
    public DnnlConvolutionForward() {
        Engine.get();
    }

    @Override
    public String name() {
        return Dnnl.providerName();
    }

    @Override
    public Optional<Plan> plan(Geometry g, boolean training) {
        return plan(g, training, false, false);
    }

    @Override
    public Optional<Plan> plan(Geometry g, boolean training, boolean relu) {
        return plan(g, training, relu, false);
    }

    /**
     * With {@code sum}, a sum post-op ahead of the ReLU one: oneDNN reads the output array's prior contents and adds
     * them to the accumulator. Declined (empty) when the direct kernel wants the output in another layout than NHWC
     * (the prior contents would need a reorder in as well, not measured worth it there); a Winograd plan
     * ({@link #winograd}) reorders them in.
     */
    @Override
    public Optional<Plan> plan(Geometry g, boolean training, boolean relu, boolean sum) {
        DnnlForwardPlan direct = new DnnlForwardPlan(g, training, false, relu, sum);
        boolean directUsable = !(sum && direct.reordersOutput());
        if (!training && winograd(g)) {
            DnnlForwardPlan wino = new DnnlForwardPlan(g, false, false, relu, sum, true);
            if (wino.winograd()) {
                return Optional.of(directUsable ? new SwitchedPlan(wino, direct) : wino);
            }
        }
        return directUsable ? Optional.of(direct) : Optional.empty();
    }

    /**
     * A Winograd plan with its direct twin, run by {@value #WINOGRAD_PROPERTY} as it stands at each call (so that an
     * A/B in one process, {@code WinogradTiming}, switches plans the layers have cached).
     */
    static final class SwitchedPlan implements Plan {
        private final DnnlForwardPlan wino;
        private final DnnlForwardPlan direct;

        SwitchedPlan(DnnlForwardPlan wino, DnnlForwardPlan direct) {
            this.wino = wino;
            this.direct = direct;
        }

        private DnnlForwardPlan current() {
            return "false".equals(System.getProperty(WINOGRAD_PROPERTY)) ? direct : wino;
        }

        @Override
        public long scratchLength() {
            return Math.max(wino.scratchLength(), direct.scratchLength());
        }

        @Override
        public void forward(INDArray input, INDArray weights, INDArray bias, INDArray output, INDArray scratch) {
            current().forward(input, weights, bias, output, scratch);
        }

        @Override
        public String describe() {
            return current().describe();
        }
    }

    static final class DnnlForwardPlan implements Plan {
        private final Natives natives = new Natives();
        private final dnnl_stream stream;
        private final dnnl_primitive conv;
        private final dnnl_exec_arg_t args;
        private final int argCount;
        private final Port src;
        private final Port wts;
        private final Port dst;
        private final dnnl_memory bias;
        private final Address biasAddress = new Address();
        private final long scratch;
        private final String description;
        /** For a sum plan whose output is reordered: the reorder of the output's prior contents in, else null. */
        private final Dnnl.Reorder priorIn;

        private final boolean winogradUsed;
        /** A Winograd plan's weights in its own layout, outside workspaces, and their last values as given. */
        private final INDArray keptWeights;

        private final long keptWeightsAddress;
        private float[] lastWeights;
        private float[] readWeights;

        DnnlForwardPlan(Geometry g, boolean training, boolean nhwc, boolean relu) {
            this(g, training, nhwc, relu, false);
        }

        /**
         * With {@code nhwc}, the activations' layout is fixed to NHWC and only the weights' is oneDNN's choice; with
         * {@code relu}, the primitive applies ReLU to its output (an eltwise post-op); with {@code sum}, it first adds the
         * output's prior contents (a sum post-op, ahead of the ReLU).
         */
        DnnlForwardPlan(Geometry g, boolean training, boolean nhwc, boolean relu, boolean sum) {
            this(g, training, nhwc, relu, sum, false);
        }

        /** With {@code tryWinograd}, oneDNN's Winograd convolution where it has one (else the direct one). */
        DnnlForwardPlan(Geometry g, boolean training, boolean nhwc, boolean relu, boolean sum, boolean tryWinograd) {
            dnnl_engine e = Engine.get();
            long[] srcDims = {g.n(), g.cin(), g.h(), g.w()};
            long[] dstDims = {g.n(), g.cout(), g.oh(), g.ow()};
            long[] wDims = {g.cout(), g.cin(), g.kh(), g.kw()};
            dnnl_memory_desc_t srcUser = md(srcDims, dnnl_nhwc);
            dnnl_memory_desc_t dstUser = md(dstDims, dnnl_nhwc);
            dnnl_memory_desc_t wUser = md(wDims, dnnl_oihw);
            dnnl_memory_desc_t bUser = g.bias() ? md(new long[] {g.cout()}, dnnl_a) : null;
            boolean wino = tryWinograd && !training && !nhwc;
            dnnl_memory_desc_t srcAny = md(srcDims, dnnl_format_tag_any);
            dnnl_memory_desc_t dstAny = md(dstDims, dnnl_format_tag_any);
            dnnl_primitive_desc pd =
                    wino ? desc(g, dnnl_convolution_winograd, srcAny, wDims, bUser, dstAny, relu, sum) : null;
            wino = pd != null;
            if (pd == null) {
                pd = desc(
                        g,
                        dnnl_convolution_direct,
                        nhwc ? srcUser : srcAny,
                        wDims,
                        bUser,
                        nhwc ? dstUser : dstAny,
                        relu,
                        sum);
                if (pd == null) {
                    throw new IllegalStateException("oneDNN has no forward convolution for " + g);
                }
            }
            natives.descs.add(pd);
            long off = 0;
            dnnl_memory_desc_t srcMd = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
            dnnl_memory_desc_t wMd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            dnnl_memory_desc_t dstMd = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
            src = new Port(srcUser, srcMd, false, off, natives);
            off += Port.floats(srcUser, srcMd);
            wts = new Port(wUser, wMd, false, wino ? 0 : off, natives);
            if (wino && wts.reorder != null) { // Winograd's transformed weights, kept between calls (keepWeights)
                keptWeights = Nd4j.createUninitializedDetached(DataType.FLOAT, Port.floats(wUser, wMd) + ALIGN_FLOATS);
                keptWeightsAddress = (address(keptWeights) + 63) & ~63L;
            } else {
                keptWeights = null;
                keptWeightsAddress = 0;
                off += Port.floats(wUser, wMd);
            }
            dst = new Port(dstUser, dstMd, true, off, natives);
            off += Port.floats(dstUser, dstMd);
            // a sum plan whose output is reordered adds the output's prior contents: those are reordered in first
            priorIn = sum && dst.reorder != null ? dst.reverse(natives) : null;
            scratch = off == 0 ? 0 : off + ALIGN_FLOATS; // room to align the base
            if (g.bias()) {
                bias = natives.memory(bUser, e);
            } else {
                bias = null;
            }
            conv = natives.primitive(pd, "forward");
            argCount = g.bias() ? 4 : 3;
            args = new dnnl_exec_arg_t(argCount);
            stream = natives.stream(e);
            winogradUsed = wino;
            description = (training ? "training " : "inference ")
                    + implName(pd)
                    + (sum ? " + sum post-op" : "")
                    + (relu ? " + relu post-op" : "")
                    + (scratch > 0
                            ? ", reorders" + src.named(" input") + wts.named(" weights") + dst.named(" output")
                                    + (priorIn != null ? " and its prior contents" : "")
                            : ", zero-copy");
            CLEANER.register(this, natives);
        }

        /**
         * The inference convolution's primitive descriptor for {@code algorithm} (direct or Winograd) with the given
         * activation layouts (oneDNN's choice of the weights'), or {@code null} when oneDNN has none for this geometry,
         * machine and post-ops (its Winograd kernels are AVX-512 only in 2.5.2).
         */
        private static dnnl_primitive_desc desc(
                Geometry g,
                int algorithm,
                dnnl_memory_desc_t src,
                long[] wDims,
                dnnl_memory_desc_t bUser,
                dnnl_memory_desc_t dst,
                boolean relu,
                boolean sum) {
            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
            int status = dnnl_dilated_convolution_forward_desc_init(
                    fd,
                    dnnl_forward_inference,
                    algorithm,
                    src,
                    md(wDims, dnnl_format_tag_any),
                    bUser,
                    dst,
                    new long[] {g.strideH(), g.strideW()},
                    new long[] {g.dilationH() - 1, g.dilationW() - 1},
                    new long[] {g.padTop(), g.padLeft()},
                    new long[] {g.padBottom(), g.padRight()});
            if (status != dnnl_success) {
                return null;
            }
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            dnnl_primitive_attr attr = relu || sum ? postOps(relu, sum) : null;
            try {
                status = dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(fd), attr, Engine.get(), null);
            } finally {
                if (attr != null) {
                    dnnl_primitive_attr_destroy(attr); // the primitive descriptor keeps its own copy
                }
            }
            return status == dnnl_success ? pd : null;
        }

        /** Whether the output goes through a reorder (oneDNN's kernel wants another layout than NHWC). */
        boolean reordersOutput() {
            return dst.reorder != null;
        }

        /**
         * Reorders {@code w} into the kept weights unless it holds the very values reordered last (compared as floats:
         * a folded pass hands the plan freshly folded weights in every pass, which stay the same between training
         * steps); the comparison reads 37k floats in ~10 µs where Winograd's weight transform takes ~0.5 ms.
         */
        private void keepWeights(INDArray w) {
            int n = (int) w.length();
            if (readWeights == null || readWeights.length != n) {
                readWeights = new float[n];
                lastWeights = null;
            }
            HostMemory.floats(w, n).get(readWeights);
            if (lastWeights != null && java.util.Arrays.equals(readWeights, lastWeights)) {
                return;
            }
            lastWeights = null; // until the reorder below has succeeded
            wts.reorderIn(stream);
            lastWeights = readWeights.clone();
        }

        /** Whether this plan runs oneDNN's Winograd convolution. */
        boolean winograd() {
            return winogradUsed;
        }

        /** A primitive attribute with a sum post-op (scale 1) where {@code sum}, then ReLU (slope 0) where {@code relu}. */
        private static dnnl_primitive_attr postOps(boolean relu, boolean sum) {
            dnnl_primitive_attr attr = new dnnl_primitive_attr();
            check(dnnl_primitive_attr_create(attr), "dnnl_primitive_attr_create");
            dnnl_post_ops po = new dnnl_post_ops();
            try {
                check(dnnl_post_ops_create(po), "dnnl_post_ops_create");
                try {
                    if (sum) {
                        check(dnnl_post_ops_append_sum(po, 1.0f), "append sum post-op");
                    }
                    if (relu) {
                        check(dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0f, 0f), "append relu post-op");
                    }
                    check(dnnl_primitive_attr_set_post_ops(attr, po), "dnnl_primitive_attr_set_post_ops");
                } finally {
                    dnnl_post_ops_destroy(po); // the attribute keeps its own copy
                }
            } catch (RuntimeException ex) {
                dnnl_primitive_attr_destroy(attr);
                throw ex;
            }
            return attr;
        }

        @Override
        public long scratchLength() {
            return scratch;
        }

        @Override
        public String describe() {
            return description;
        }

        @Override
        public void forward(INDArray input, INDArray w, INDArray b, INDArray output, INDArray scratchArray) {
            for (INDArray a : new INDArray[] {input, w, output}) {
                if (a.dataType() != DataType.FLOAT) {
                    throw new IllegalArgumentException("oneDNN forward: float arrays only, found " + a.dataType());
                }
            }
            if ((bias != null) != (b != null)) {
                throw new IllegalArgumentException(
                        "oneDNN forward: the plan " + (bias != null ? "needs a bias" : "has no bias"));
            }
            long base = 0;
            if (scratch > 0) {
                if (scratchArray == null || scratchArray.length() < scratch) {
                    throw new IllegalArgumentException("oneDNN forward: scratch of " + scratch + " floats needed");
                }
                base = (address(scratchArray) + 63) & ~63L;
            }
            dnnl_memory mX = src.bind(address(input), base);
            dnnl_memory mW;
            dnnl_memory mY = dst.bind(address(output), base);
            src.reorderIn(stream);
            if (keptWeights != null) {
                mW = wts.bindAt(address(w), keptWeightsAddress);
                keepWeights(w);
            } else {
                mW = wts.bind(address(w), base);
                wts.reorderIn(stream);
            }
            if (priorIn != null) {
                priorIn.run(stream);
            }
            args.position(0).arg(DNNL_ARG_SRC).memory(mX);
            args.position(1).arg(DNNL_ARG_WEIGHTS).memory(mW);
            args.position(2).arg(DNNL_ARG_DST).memory(mY);
            if (bias != null) {
                check(dnnl_memory_set_data_handle(bias, biasAddress.at(address(b))), "bias handle");
                args.position(3).arg(DNNL_ARG_BIAS).memory(bias);
            }
            args.position(0);
            check(dnnl_primitive_execute(conv, stream, argCount, args), "forward");
            dst.reorderOut(stream);
            check(dnnl_stream_wait(stream), "dnnl_stream_wait");
        }
    }
}
