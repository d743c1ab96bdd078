package org.camloss.testkit;

import java.util.Set;
import org.camloss.api.Params;
import org.camloss.api.cam.CamContext;
import org.camloss.api.cam.CamInput;
import org.camloss.api.cam.CamMath;
import org.camloss.api.cam.CamMethod;
import org.camloss.api.cam.CamMethodFactory;
import org.camloss.api.cam.LinearHead;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CAM methods as a plugin author might write them, one correct and the others broken in one way each. Registered in
 * this module's test {@code META-INF/services}, so that discovery passes.
 */
public final class BrokenCamMethods {
    private BrokenCamMethods() {}

    /** A factory of one method, with {@link #id()} and {@link #description()} from the class. */
    private abstract static class Base implements CamMethodFactory {
        @Override
        public String description() {
            return "A test CAM method: " + id() + ".";
        }

        abstract INDArray maps(CamContext ctx);

        Set<CamInput> requires() {
            return Set.of(CamInput.GRADIENTS);
        }

        @Override
        public CamMethod create(Params params) {
            return new CamMethod() {
                @Override
                public INDArray maps(CamContext context) {
                    return Base.this.maps(context);
                }

                @Override
                public Set<CamInput> requires() {
                    return Base.this.requires();
                }
            };
        }
    }

    /** Grad-CAM, correct. */
    public static final class GradCam extends Base {
        @Override
        public String id() {
            return "test-grad-cam";
        }

        @Override
        INDArray maps(CamContext ctx) {
            return CamMath.relu(CamMath.weightedSum(ctx.activations(), CamMath.spatialMean(ctx.gradients())));
        }
    }

    /** Grad-CAM that forgot to declare the gradients it reads. */
    public static final class Undeclared extends Base {
        @Override
        public String id() {
            return "undeclared-gradients";
        }

        @Override
        Set<CamInput> requires() {
            return Set.of();
        }

        @Override
        INDArray maps(CamContext ctx) {
            return CamMath.relu(CamMath.weightedSum(ctx.activations(), CamMath.spatialMean(ctx.gradients())));
        }
    }

    /** Grad-CAM min-max normalised over the whole batch instead of per image. */
    public static final class BatchNormalised extends Base {
        @Override
        public String id() {
            return "batch-normalised";
        }

        @Override
        INDArray maps(CamContext ctx) {
            INDArray m = CamMath.relu(CamMath.weightedSum(ctx.activations(), CamMath.spatialMean(ctx.gradients())));
            double min = m.minNumber().doubleValue();
            double max = m.maxNumber().doubleValue();
            return m.sub(min).divi(max - min + 1e-12);
        }
    }

    /** CAM with its sign flipped (a cost map). */
    public static final class FlippedSign extends Base {
        @Override
        public String id() {
            return "flipped-sign";
        }

        @Override
        Set<CamInput> requires() {
            return Set.of(CamInput.LINEAR_HEAD);
        }

        @Override
        INDArray maps(CamContext ctx) {
            return cam(ctx, ctx.targets()).negi();
        }
    }

    /** CAM always of class 0, whatever the target. */
    public static final class IgnoresTarget extends Base {
        @Override
        public String id() {
            return "ignores-target";
        }

        @Override
        Set<CamInput> requires() {
            return Set.of(CamInput.LINEAR_HEAD);
        }

        @Override
        INDArray maps(CamContext ctx) {
            return cam(ctx, new int[ctx.targets().length]);
        }
    }

    /** CAM that assumes the head is there (Optional.get) instead of refusing a layer without one. */
    public static final class AssumesHead extends Base {
        @Override
        public String id() {
            return "assumes-head";
        }

        @Override
        Set<CamInput> requires() {
            return Set.of(CamInput.LINEAR_HEAD);
        }

        @Override
        INDArray maps(CamContext ctx) {
            INDArray w = ctx.linearHead().get().weight();
            INDArray a = ctx.activations();
            INDArray rows = Nd4j.create(a.dataType(), a.size(0), a.size(1));
            for (int n = 0; n < a.size(0); n++) {
                rows.putRow(n, w.getRow(ctx.targets()[n]));
            }
            return CamMath.weightedSum(a, rows);
        }
    }

    /** Grad-CAM upsampled to the image: maps of the wrong shape. */
    public static final class Upsampled extends Base {
        @Override
        public String id() {
            return "upsampled";
        }

        @Override
        INDArray maps(CamContext ctx) {
            INDArray m = CamMath.relu(CamMath.weightedSum(ctx.activations(), CamMath.spatialMean(ctx.gradients())));
            INDArray x = ctx.images();
            INDArray out = Nd4j.create(m.dataType(), x.size(0), x.size(1), x.size(2));
            for (int n = 0; n < x.size(0); n++) {
                float[] up = org.camloss.api.cam.Bilinear.resize(
                        m.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n))
                                .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                                .dup('c')
                                .data()
                                .asFloat(),
                        (int) m.size(1),
                        (int) m.size(2),
                        (int) x.size(1),
                        (int) x.size(2));
                out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n))
                        .assign(Nd4j.create(up, new long[] {x.size(1), x.size(2)}, 'c')
                                .castTo(m.dataType()));
            }
            return out;
        }
    }

    /** Score-CAM-like weighting by each channel's own min-max mask, without guarding a flat channel: 0/0. */
    public static final class UnguardedNormalisation extends Base {
        @Override
        public String id() {
            return "unguarded-normalisation";
        }

        @Override
        INDArray maps(CamContext ctx) {
            INDArray a = ctx.activations();
            INDArray min = a.min(2, 3).reshape(a.size(0), a.size(1), 1, 1);
            INDArray max = a.max(2, 3).reshape(a.size(0), a.size(1), 1, 1);
            INDArray masks = a.sub(min).divi(max.sub(min));
            INDArray weights = CamMath.spatialMean(ctx.gradients());
            return CamMath.relu(CamMath.weightedSum(masks, weights));
        }
    }

    /** Grad-CAM that keeps the maps of its first call: the same maps for any later batch of that size. */
    public static final class Stateful extends Base {
        private INDArray first;

        @Override
        public String id() {
            return "stateful";
        }

        @Override
        INDArray maps(CamContext ctx) {
            INDArray m = CamMath.relu(CamMath.weightedSum(ctx.activations(), CamMath.spatialMean(ctx.gradients())));
            if (first == null || first.size(0) != m.size(0) || first.size(1) != m.size(1)) {
                first = m;
            }
            return first.dup();
        }
    }

    /** The CAAM (channel sum), correct, class-agnostic. */
    public static final class Caam extends Base {
        @Override
        public String id() {
            return "test-caam";
        }

        @Override
        Set<CamInput> requires() {
            return Set.of();
        }

        @Override
        INDArray maps(CamContext ctx) {
            return ctx.activations().sum(1);
        }
    }

    private static INDArray cam(CamContext ctx, int[] classes) {
        LinearHead head =
                ctx.linearHead().orElseThrow(() -> new IllegalArgumentException("no linear head at " + ctx.layer()));
        INDArray a = ctx.activations();
        INDArray rows = Nd4j.create(a.dataType(), a.size(0), a.size(1));
        for (int n = 0; n < a.size(0); n++) {
            rows.putRow(n, head.weight().getRow(classes[n]));
        }
        return CamMath.weightedSum(a, rows);
    }
}
