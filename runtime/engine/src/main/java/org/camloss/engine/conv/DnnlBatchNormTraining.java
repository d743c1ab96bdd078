package org.camloss.engine.conv;

import static org.bytedeco.dnnl.global.dnnl.*;
import static org.camloss.engine.conv.Dnnl.*;

import java.util.Optional;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_batch_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.camloss.api.layers.BatchNormTraining;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch norm's training passes on oneDNN's batch-normalization primitives (forward_training and backward), created
 * once per geometry and called through the JavaCPP presets {@code org.bytedeco:dnnl:2.5.2-1.5.7}, as the convolution
 * plans of this package are.
 *
 * <p>Both primitives work on the NHWC arrays themselves (memory descriptors with the {@code nhwc} tag, no reorder),
 * with flags {@code dnnl_use_scale | dnnl_use_shift} (separate γ and β arrays, as DL4J keeps them) and, for a ReLU
 * geometry, {@code dnnl_fuse_norm_relu}: the forward pass then applies ReLU and records in a workspace which outputs
 * were positive, and the backward pass takes the ReLU's derivative from that workspace. The forward pass computes the
 * batch mean and the biased batch variance ({@code 1/M Σ (x − μ)²}, {@code M = N·H·W}) and writes them to the
 * {@code mean} and {@code var} arrays; the backward pass ({@code dnnl_backward}) reads them and writes {@code dx},
 * {@code dγ} and {@code dβ}.
 */
public final class DnnlBatchNormTraining implements BatchNormTraining {

    /** Loads the natives and creates the CPU engine; fails (at discovery) if they cannot load. */
    public DnnlBatchNormTraining() {
        Engine.get();
    }

    @Override
    public String name() {
        return Dnnl.providerName();
    }

    @Override
    public Optional<Plan> plan(Geometry g) {
        return Optional.of(new DnnlBatchNormPlan(g));
    }

    static final class DnnlBatchNormPlan implements Plan {
        private final Natives natives = new Natives();
        private final dnnl_stream stream;
        private final Geometry g;
        private final dnnl_primitive fwd;
        private final dnnl_primitive bwd;
        private final dnnl_exec_arg_t fwdArgs;
        private final dnnl_exec_arg_t bwdArgs;
        private final int fwdCount;
        private final int bwdCount;
        // forward memories
        private final dnnl_memory fSrc;
        private final dnnl_memory fDst;
        private final dnnl_memory fScale;
        private final dnnl_memory fShift;
        private final dnnl_memory fMean;
        private final dnnl_memory fVar;
        private final dnnl_memory fWs;
        // backward memories
        private final dnnl_memory bSrc;
        private final dnnl_memory bDiffDst;
        private final dnnl_memory bScale;
        private final dnnl_memory bShift;
        private final dnnl_memory bMean;
        private final dnnl_memory bVar;
        private final dnnl_memory bWs;
        private final dnnl_memory bDiffSrc;
        private final dnnl_memory bDiffScale;
        private final dnnl_memory bDiffShift;
        private final Address address = new Address();
        private final long workspace;
        private final String description;

        DnnlBatchNormPlan(Geometry g) {
            this.g = g;
            dnnl_engine e = Engine.get();
            long[] dims = {g.n(), g.c(), g.h(), g.w()};
            dnnl_memory_desc_t data = md(dims, dnnl_nhwc);
            int flags = dnnl_use_scale | dnnl_use_shift | (g.relu() ? dnnl_fuse_norm_relu : 0);

            dnnl_batch_normalization_desc_t fd = new dnnl_batch_normalization_desc_t();
            check(
                    dnnl_batch_normalization_forward_desc_init(fd, dnnl_forward_training, data, g.eps(), flags),
                    "batch normalization forward desc (" + g + ")");
            dnnl_primitive_desc fpd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(fpd, new const_dnnl_op_desc_t(fd), null, e, null), "bn forward");
            natives.descs.add(fpd);

            dnnl_batch_normalization_desc_t bd = new dnnl_batch_normalization_desc_t();
            check(
                    dnnl_batch_normalization_backward_desc_init(bd, dnnl_backward, data, data, g.eps(), flags),
                    "batch normalization backward desc (" + g + ")");
            dnnl_primitive_desc bpd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(bpd, new const_dnnl_op_desc_t(bd), null, e, fpd), "bn backward");
            natives.descs.add(bpd);

            requireNhwc(fpd, DNNL_ARG_SRC, data, "forward src");
            requireNhwc(fpd, DNNL_ARG_DST, data, "forward dst");
            requireNhwc(bpd, DNNL_ARG_DIFF_DST, data, "backward diff_dst");
            requireNhwc(bpd, DNNL_ARG_DIFF_SRC, data, "backward diff_src");

            fSrc = natives.memory(data, e);
            fDst = natives.memory(data, e);
            fScale = natives.memory(argMd(fpd, DNNL_ARG_SCALE), e);
            fShift = natives.memory(argMd(fpd, DNNL_ARG_SHIFT), e);
            fMean = natives.memory(argMd(fpd, DNNL_ARG_MEAN), e);
            fVar = natives.memory(argMd(fpd, DNNL_ARG_VARIANCE), e);
            bSrc = natives.memory(data, e);
            bDiffDst = natives.memory(data, e);
            bScale = natives.memory(argMd(bpd, DNNL_ARG_SCALE), e);
            bShift = natives.memory(argMd(bpd, DNNL_ARG_SHIFT), e);
            bMean = natives.memory(argMd(bpd, DNNL_ARG_MEAN), e);
            bVar = natives.memory(argMd(bpd, DNNL_ARG_VARIANCE), e);
            bDiffSrc = natives.memory(data, e);
            bDiffScale = natives.memory(argMd(bpd, DNNL_ARG_DIFF_SCALE), e);
            bDiffShift = natives.memory(argMd(bpd, DNNL_ARG_DIFF_SHIFT), e);
            if (g.relu()) {
                dnnl_memory_desc_t ws = dnnl_primitive_desc_query_md(fpd, dnnl_query_workspace_md, 0);
                long bytes = dnnl_memory_desc_get_size(ws);
                workspace = (bytes + 3) / 4;
                fWs = natives.memory(ws, e);
                bWs = natives.memory(ws, e);
            } else {
                workspace = 0;
                fWs = null;
                bWs = null;
            }
            fwd = natives.primitive(fpd, "bn forward");
            bwd = natives.primitive(bpd, "bn backward");
            fwdCount = g.relu() ? 7 : 6;
            fwdArgs = new dnnl_exec_arg_t(fwdCount);
            arg(fwdArgs, 0, DNNL_ARG_SRC, fSrc);
            arg(fwdArgs, 1, DNNL_ARG_DST, fDst);
            arg(fwdArgs, 2, DNNL_ARG_SCALE, fScale);
            arg(fwdArgs, 3, DNNL_ARG_SHIFT, fShift);
            arg(fwdArgs, 4, DNNL_ARG_MEAN, fMean);
            arg(fwdArgs, 5, DNNL_ARG_VARIANCE, fVar);
            if (g.relu()) {
                arg(fwdArgs, 6, DNNL_ARG_WORKSPACE, fWs);
            }
            fwdArgs.position(0);
            bwdCount = g.relu() ? 10 : 9;
            bwdArgs = new dnnl_exec_arg_t(bwdCount);
            arg(bwdArgs, 0, DNNL_ARG_SRC, bSrc);
            arg(bwdArgs, 1, DNNL_ARG_DIFF_DST, bDiffDst);
            arg(bwdArgs, 2, DNNL_ARG_SCALE, bScale);
            arg(bwdArgs, 3, DNNL_ARG_MEAN, bMean);
            arg(bwdArgs, 4, DNNL_ARG_VARIANCE, bVar);
            arg(bwdArgs, 5, DNNL_ARG_DIFF_SRC, bDiffSrc);
            arg(bwdArgs, 6, DNNL_ARG_DIFF_SCALE, bDiffScale);
            arg(bwdArgs, 7, DNNL_ARG_DIFF_SHIFT, bDiffShift);
            // oneDNN 2.5 counts the shift among the backward pass's inputs when dnnl_use_shift is set (it is not read)
            arg(bwdArgs, 8, DNNL_ARG_SHIFT, bShift);
            if (g.relu()) {
                arg(bwdArgs, 9, DNNL_ARG_WORKSPACE, bWs);
            }
            bwdArgs.position(0);
            stream = natives.stream(e);
            description = "forward " + implName(fpd) + ", backward " + implName(bpd) + (g.relu() ? ", relu fused" : "");
            CLEANER.register(this, natives);
        }

        private static dnnl_memory_desc_t argMd(dnnl_primitive_desc pd, int arg) {
            return dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
        }

        private static void requireNhwc(dnnl_primitive_desc pd, int arg, dnnl_memory_desc_t data, String what) {
            if (dnnl_memory_desc_equal(argMd(pd, arg), data) == 0) {
                throw new IllegalStateException("oneDNN batch norm wants another layout for its " + what);
            }
        }

        private static void arg(dnnl_exec_arg_t args, int i, int which, dnnl_memory m) {
            args.position(i).arg(which).memory(m);
        }

        @Override
        public long workspaceLength() {
            return workspace;
        }

        @Override
        public String describe() {
            return description;
        }

        private void bind(dnnl_memory m, INDArray a, long length, String what) {
            if (a.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException(
                        "oneDNN batch norm: float arrays only, " + what + " is " + a.dataType());
            }
            if (a.length() < length) {
                throw new IllegalArgumentException(
                        "oneDNN batch norm: " + what + " has " + a.length() + " elements, " + length + " needed");
            }
            check(dnnl_memory_set_data_handle(m, address.at(address(a))), "dnnl_memory_set_data_handle (" + what + ")");
        }

        private long dataLength() {
            return g.n() * g.h() * g.w() * g.c();
        }

        private void bindWorkspace(dnnl_memory m, INDArray ws) {
            if (m == null) {
                return;
            }
            if (ws == null) {
                throw new IllegalArgumentException("oneDNN batch norm: a workspace of " + workspace + " floats needed");
            }
            bind(m, ws, workspace, "workspace");
        }

        @Override
        public void forward(
                INDArray x, INDArray gamma, INDArray beta, INDArray y, INDArray mean, INDArray var, INDArray ws) {
            long len = dataLength();
            bind(fSrc, x, len, "input");
            bind(fDst, y, len, "output");
            bind(fScale, gamma, g.c(), "gamma");
            bind(fShift, beta, g.c(), "beta");
            bind(fMean, mean, g.c(), "mean");
            bind(fVar, var, g.c(), "variance");
            bindWorkspace(fWs, ws);
            check(dnnl_primitive_execute(fwd, stream, fwdCount, fwdArgs), "bn forward");
            check(dnnl_stream_wait(stream), "dnnl_stream_wait");
        }

        @Override
        public void backward(
                INDArray x,
                INDArray dy,
                INDArray gamma,
                INDArray beta,
                INDArray mean,
                INDArray var,
                INDArray ws,
                INDArray dx,
                INDArray dGamma,
                INDArray dBeta) {
            long len = dataLength();
            bind(bSrc, x, len, "input");
            bind(bDiffDst, dy, len, "output gradient");
            bind(bScale, gamma, g.c(), "gamma");
            bind(bShift, beta, g.c(), "beta");
            bind(bMean, mean, g.c(), "mean");
            bind(bVar, var, g.c(), "variance");
            bind(bDiffSrc, dx, len, "input gradient");
            bind(bDiffScale, dGamma, g.c(), "gamma gradient");
            bind(bDiffShift, dBeta, g.c(), "beta gradient");
            bindWorkspace(bWs, ws);
            check(dnnl_primitive_execute(bwd, stream, bwdCount, bwdArgs), "bn backward");
            check(dnnl_stream_wait(stream), "dnnl_stream_wait");
        }
    }
}
