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
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.camloss.api.layers.ConvolutionBackward;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward pass of NHWC float convolutions on oneDNN's own backward primitives (backward data, backward weights
 * with the bias gradient), called through the JavaCPP presets {@code org.bytedeco:dnnl:2.5.2-1.5.7}: libnd4j
 * 1.0.0-M2.1 links oneDNN statically but runs {@code conv2d_bp} on its generic im2col/gemm code.
 *
 * <p>Both oneDNN copies coexist in one process (checked in {@code DnnlCoexistenceTest}): libnd4j's is static and
 * exports no {@code dnnl_*} symbols, and the presets' {@code libdnnl.so.2} binds to the one {@code libgomp.so.1}
 * already loaded with ND4J, so both run their OpenMP regions on one runtime with the calling thread's thread count.
 *
 * <p>A {@link Plan} holds the primitives for one geometry (creating them costs milliseconds, running them is what a
 * step should pay). The activations and their gradients stay in the arrays' NHWC layout (the primitives work on the
 * INDArrays' buffers); oneDNN chooses the weights' layout, and where that is not DL4J's [out, in, kh, kw] (oihw) the
 * weights and their gradient are reordered through the scratch array the layer allocates in its workspace.
 */
public final class DnnlConvolutionBackward implements ConvolutionBackward {
    /** Channel count from which {@link #plan} leaves small maps to libnd4j (see there). */
    static final long WIDE_CHANNELS = 64;
    /** Output map size (pixels) up to which {@link #plan} leaves wide convolutions to libnd4j. */
    static final long SMALL_MAP = 8 * 8;

    /** Loads the natives and creates the CPU engine; fails (at discovery) if they cannot load. */
    public DnnlConvolutionBackward() {
        Engine.get();
    }

    @Override
    public String name() {
        return Dnnl.providerName();
    }

    /**
     * A plan for every geometry except convolutions with at least {@value #WIDE_CHANNELS} channels in and out on
     * output maps of at most {@value #SMALL_MAP} pixels, where libnd4j's generic {@code conv2d_bp} measured as fast or
     * faster. Measured on this project's machine (AMD EPYC with AVX-512, batch 128, 2 threads, 3×3 unless noted;
     * oneDNN / generic, median of 7 alternating rounds, {@code ConvolutionBackwardTiming}): 3→16 at 32² 0.14, 16→16
     * at 32² 0.22, 1→16 at 28² 0.59, 16→16 at 28² 0.69, stride-2 and 1×1 shapes 0.58–0.83, 32→32 at 14² and 16²
     * 0.85–0.91, but 64→64 at 7² 1.05 and at 8² 1.16. A fixed rule rather than a race at run time, so that a run's
     * arithmetic does not depend on the machine's load.
     */
    @Override
    public Optional<Plan> plan(Geometry g) {
        if (g.cin() >= WIDE_CHANNELS && g.cout() >= WIDE_CHANNELS && g.oh() * g.ow() <= SMALL_MAP) {
            return Optional.empty();
        }
        return Optional.of(new DnnlPlan(g));
    }

    static final class DnnlPlan implements Plan {
        private final Geometry g;
        private final Natives natives = new Natives();
        private final dnnl_stream stream;
        private final dnnl_primitive data;
        private final dnnl_primitive weights;
        private final dnnl_exec_arg_t dataArgs = new dnnl_exec_arg_t(3);
        private final dnnl_exec_arg_t weightArgs;
        private final int weightArgCount;
        private final Port dataDy;
        private final Port dataW;
        private final Port dataDx;
        private final Port wX;
        private final Port wDy;
        private final Port wDw;
        private final dnnl_memory diffBias;
        private final Address biasAddress = new Address();
        private final long scratch;
        private final String description;

        DnnlPlan(Geometry g) {
            this.g = g;
            dnnl_engine e = Engine.get();
            long[] srcDims = {g.n(), g.cin(), g.h(), g.w()};
            long[] dstDims = {g.n(), g.cout(), g.oh(), g.ow()};
            long[] wDims = {g.cout(), g.cin(), g.kh(), g.kw()};
            long[] bDims = {g.cout()};
            long[] strides = {g.strideH(), g.strideW()};
            long[] dilates = {g.dilationH() - 1, g.dilationW() - 1};
            long[] padL = {g.padTop(), g.padLeft()};
            long[] padR = {g.padBottom(), g.padRight()};
            dnnl_memory_desc_t srcUser = md(srcDims, dnnl_nhwc);
            dnnl_memory_desc_t dstUser = md(dstDims, dnnl_nhwc);
            dnnl_memory_desc_t wUser = md(wDims, dnnl_oihw);
            dnnl_memory_desc_t bUser = md(bDims, dnnl_a);
            // activations in the arrays' own NHWC layout, the weights in the blocked layout oneDNN prefers: with the
            // weights fixed to oihw too it picks its reference kernels (16→16 at 28², batch 128: 628 ms), with every
            // layout its choice it picks blocked activations and reorders them in and out of every call (3.1 ms);
            // this way it runs the same jit:avx512_common kernels on NHWC and reorders only the weights (2.2 ms;
            // ResNet-8's backward convolutions 16.8 -> 13.2 ms per step, ConvolutionBackwardTiming 2026-12-01)
            dnnl_memory_desc_t src = srcUser;
            dnnl_memory_desc_t dst = dstUser;
            dnnl_memory_desc_t wt = md(wDims, dnnl_format_tag_any);
            dnnl_memory_desc_t bias = g.bias() ? bUser : null;

            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
            check(
                    dnnl_dilated_convolution_forward_desc_init(
                            fd,
                            dnnl_forward_training,
                            dnnl_convolution_direct,
                            src,
                            wt,
                            bias,
                            dst,
                            strides,
                            dilates,
                            padL,
                            padR),
                    "convolution forward desc (" + g + ")");
            dnnl_primitive_desc fpd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(fpd, new const_dnnl_op_desc_t(fd), null, e, null), "forward hint");
            natives.descs.add(fpd);

            dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
            check(
                    dnnl_dilated_convolution_backward_data_desc_init(
                            dd, dnnl_convolution_direct, src, wt, dst, strides, dilates, padL, padR),
                    "convolution backward data desc (" + g + ")");
            dnnl_primitive_desc dpd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(dpd, new const_dnnl_op_desc_t(dd), null, e, fpd), "backward data");
            natives.descs.add(dpd);

            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            check(
                    dnnl_dilated_convolution_backward_weights_desc_init(
                            wd, dnnl_convolution_direct, src, wt, bias, dst, strides, dilates, padL, padR),
                    "convolution backward weights desc (" + g + ")");
            dnnl_primitive_desc wpd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(wpd, new const_dnnl_op_desc_t(wd), null, e, fpd), "backward weights");
            natives.descs.add(wpd);

            dnnl_memory_desc_t dDy = dnnl_primitive_desc_query_md(dpd, dnnl_query_diff_dst_md, 0);
            dnnl_memory_desc_t dW = dnnl_primitive_desc_query_md(dpd, dnnl_query_weights_md, 0);
            dnnl_memory_desc_t dDx = dnnl_primitive_desc_query_md(dpd, dnnl_query_diff_src_md, 0);
            dnnl_memory_desc_t wXmd = dnnl_primitive_desc_query_md(wpd, dnnl_query_src_md, 0);
            dnnl_memory_desc_t wDymd = dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_dst_md, 0);
            dnnl_memory_desc_t wDwmd = dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_weights_md, 0);
            // scratch layout: the data pass's and the weights pass's internal memories, one after another
            long off = 0;
            dataDy = new Port(dstUser, dDy, false, off, natives);
            off += Port.floats(dstUser, dDy);
            dataW = new Port(wUser, dW, false, off, natives);
            off += Port.floats(wUser, dW);
            dataDx = new Port(srcUser, dDx, true, off, natives);
            off += Port.floats(srcUser, dDx);
            this.wX = new Port(srcUser, wXmd, false, off, natives);
            off += Port.floats(srcUser, wXmd);
            this.wDy = new Port(dstUser, wDymd, false, off, natives);
            off += Port.floats(dstUser, wDymd);
            wDw = new Port(wUser, wDwmd, true, off, natives);
            off += Port.floats(wUser, wDwmd);
            scratch = off == 0 ? 0 : off + ALIGN_FLOATS; // room to align the base
            if (g.bias()) {
                diffBias = natives.memory(bUser, e);
            } else {
                diffBias = null;
            }

            data = natives.primitive(dpd, "backward data");
            weights = natives.primitive(wpd, "backward weights");
            weightArgCount = g.bias() ? 4 : 3;
            weightArgs = new dnnl_exec_arg_t(weightArgCount);
            stream = natives.stream(e);
            description = "data " + implName(dpd) + ", weights " + implName(wpd)
                    + (scratch > 0 ? ", with reorders" : ", zero-copy");
            CLEANER.register(this, natives);
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
        public void backward(
                INDArray input,
                INDArray w,
                INDArray delta,
                INDArray inputGrad,
                INDArray weightGrad,
                INDArray biasGrad,
                INDArray scratchArray) {
            for (INDArray a : new INDArray[] {input, w, delta, inputGrad, weightGrad}) {
                if (a != null && a.dataType() != DataType.FLOAT) {
                    throw new IllegalArgumentException("oneDNN backward: float arrays only, found " + a.dataType());
                }
            }
            long base = 0;
            if (scratch > 0) {
                if (scratchArray == null || scratchArray.length() < scratch) {
                    throw new IllegalArgumentException("oneDNN backward: scratch of " + scratch + " floats needed");
                }
                long a = address(scratchArray);
                base = (a + 63) & ~63L;
            }
            long x = address(input);
            long dy = address(delta);
            if (inputGrad != null) {
                backwardData(dy, address(w), address(inputGrad), base);
            }
            // backward weights (+ bias)
            dnnl_memory mX = wX.bind(x, base);
            dnnl_memory mDy2 = wDy.bind(dy, base);
            dnnl_memory mDw = wDw.bind(address(weightGrad), base);
            wX.reorderIn(stream);
            wDy.reorderIn(stream);
            weightArgs.position(0).arg(DNNL_ARG_SRC).memory(mX);
            weightArgs.position(1).arg(DNNL_ARG_DIFF_DST).memory(mDy2);
            weightArgs.position(2).arg(DNNL_ARG_DIFF_WEIGHTS).memory(mDw);
            if (diffBias != null) {
                check(dnnl_memory_set_data_handle(diffBias, biasAddress.at(address(biasGrad))), "bias handle");
                weightArgs.position(3).arg(DNNL_ARG_DIFF_BIAS).memory(diffBias);
            }
            weightArgs.position(0);
            check(dnnl_primitive_execute(weights, stream, weightArgCount, weightArgs), "backward weights");
            wDw.reorderOut(stream);
            check(dnnl_stream_wait(stream), "dnnl_stream_wait");
        }

        /** The input gradient (oneDNN's backward data) from the output gradient and the weights, at addresses. */
        private void backwardData(long dy, long w, long dx, long base) {
            dnnl_memory mDy = dataDy.bind(dy, base);
            dnnl_memory mW = dataW.bind(w, base);
            dnnl_memory mDx = dataDx.bind(dx, base);
            dataDy.reorderIn(stream);
            dataW.reorderIn(stream);
            dataArgs.position(0).arg(DNNL_ARG_DIFF_DST).memory(mDy);
            dataArgs.position(1).arg(DNNL_ARG_WEIGHTS).memory(mW);
            dataArgs.position(2).arg(DNNL_ARG_DIFF_SRC).memory(mDx);
            dataArgs.position(0);
            check(dnnl_primitive_execute(data, stream, 3, dataArgs), "backward data");
            dataDx.reorderOut(stream);
        }
    }
}
