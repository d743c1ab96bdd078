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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        return Optional.of(new DnnlForwardPlan(g, training));
    }

    @Override
    public Optional<Plan> plan(Geometry g, boolean training, boolean relu) {
        return Optional.of(new DnnlForwardPlan(g, training, false, relu, false));
    }

    /**
     * With {@code sum}, a sum post-op ahead of the ReLU one: oneDNN reads the output array's prior contents and adds
     * them to the accumulator. Declined (empty) when oneDNN's kernel wants the output in another layout than NHWC:
     * the prior contents would need a reorder in as well, which the plans do not make.
     */
    @Override
    public Optional<Plan> plan(Geometry g, boolean training, boolean relu, boolean sum) {
        DnnlForwardPlan p = new DnnlForwardPlan(g, training, false, relu, sum);
        return sum && p.reordersOutput() ? Optional.empty() : Optional.of(p);
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

        DnnlForwardPlan(Geometry g, boolean training) {
            this(g, training, false, false, false);
        }

        DnnlForwardPlan(Geometry g, boolean training, boolean nhwc, boolean relu) {
            this(g, training, nhwc, relu, false);
        }

        /**
         * With {@code nhwc}, the activations' layout is fixed to NHWC and only the weights' is oneDNN's choice; with
         * {@code relu}, the primitive applies ReLU to its output (an eltwise post-op); with {@code sum}, it first adds the
         * output's prior contents (a sum post-op, ahead of the ReLU).
         */
        DnnlForwardPlan(Geometry g, boolean training, boolean nhwc, boolean relu, boolean sum) {
            dnnl_engine e = Engine.get();
            long[] srcDims = {g.n(), g.cin(), g.h(), g.w()};
            long[] dstDims = {g.n(), g.cout(), g.oh(), g.ow()};
            long[] wDims = {g.cout(), g.cin(), g.kh(), g.kw()};
            long[] strides = {g.strideH(), g.strideW()};
            long[] dilates = {g.dilationH() - 1, g.dilationW() - 1};
            long[] padL = {g.padTop(), g.padLeft()};
            long[] padR = {g.padBottom(), g.padRight()};
            dnnl_memory_desc_t srcUser = md(srcDims, dnnl_nhwc);
            dnnl_memory_desc_t dstUser = md(dstDims, dnnl_nhwc);
            dnnl_memory_desc_t wUser = md(wDims, dnnl_oihw);
            dnnl_memory_desc_t bUser = g.bias() ? md(new long[] {g.cout()}, dnnl_a) : null;
            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
            check(
                    dnnl_dilated_convolution_forward_desc_init(
                            fd,
                            dnnl_forward_inference,
                            dnnl_convolution_direct,
                            nhwc ? srcUser : md(srcDims, dnnl_format_tag_any),
                            md(wDims, dnnl_format_tag_any),
                            bUser,
                            nhwc ? dstUser : md(dstDims, dnnl_format_tag_any),
                            strides,
                            dilates,
                            padL,
                            padR),
                    "convolution forward desc (" + g + ")");
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            dnnl_primitive_attr attr = relu || sum ? postOps(relu, sum) : null;
            try {
                check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(fd), attr, e, null), "forward");
            } finally {
                if (attr != null) {
                    dnnl_primitive_attr_destroy(attr); // the primitive descriptor keeps its own copy
                }
            }
            natives.descs.add(pd);
            long off = 0;
            dnnl_memory_desc_t srcMd = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
            dnnl_memory_desc_t wMd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            dnnl_memory_desc_t dstMd = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
            src = new Port(srcUser, srcMd, false, off, natives);
            off += Port.floats(srcUser, srcMd);
            wts = new Port(wUser, wMd, false, off, natives);
            off += Port.floats(wUser, wMd);
            dst = new Port(dstUser, dstMd, true, off, natives);
            off += Port.floats(dstUser, dstMd);
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
            description = (training ? "training " : "inference ")
                    + implName(pd)
                    + (sum ? " + sum post-op" : "")
                    + (relu ? " + relu post-op" : "")
                    + (scratch > 0
                            ? ", reorders" + src.named(" input") + wts.named(" weights") + dst.named(" output")
                            : ", zero-copy");
            CLEANER.register(this, natives);
        }

        /** Whether the output goes through a reorder (oneDNN's kernel wants another layout than NHWC). */
        boolean reordersOutput() {
            return dst.reorder != null;
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
            dnnl_memory mW = wts.bind(address(w), base);
            dnnl_memory mY = dst.bind(address(output), base);
            src.reorderIn(stream);
            wts.reorderIn(stream);
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
