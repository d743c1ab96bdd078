package org.camloss.api.cam;

import java.util.Arrays;
import java.util.Locale;
import org.camloss.api.TermKernel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times {@link CamTermKernel#apply} in isolation, at the shapes of ResNet-8 on 28×28×1 at batch 128 (7×7×64 features,
 * 10 classes, float), each call in a workspace as in a training step (DL4J opens one around a layer's backward pass,
 * so the kernel's temporaries are not fresh memory from the second call on). Not a test (no timing in tests): run by
 * hand with the test classpath, e.g. {@code java -cp ... org.camloss.api.cam.CamTermKernelTiming 200 5 [batch] [channels] [side] [classes]}; prints the median
 * microseconds per call, over rounds, for each routing and layout.
 */
public final class CamTermKernelTiming {
    private CamTermKernelTiming() {}

    /** As DL4J's layer workspaces: learns its size in the first scope, then reuses one block. */
    public static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .build();

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int c = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int side = args.length > 4 ? Integer.parseInt(args[4]) : 7;
        int k = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        Nd4j.getRandom().setSeed(1);
        INDArray nhwc = Nd4j.rand(DataType.FLOAT, n, side, side, c);
        INDArray nchw = nhwc.permute(0, 3, 1, 2).dup('c');
        INDArray w = Nd4j.randn(DataType.FLOAT, k, c).muli(0.1);
        INDArray b = Nd4j.zeros(DataType.FLOAT, k);
        INDArray targets = Nd4j.zeros(DataType.FLOAT, n, k);
        for (int i = 0; i < n; i++) {
            targets.putScalar(i, i % k, 1);
        }
        for (Routing routing : new Routing[] {Routing.WEIGHT_DETACHED, Routing.FULL}) {
            for (boolean last : new boolean[] {true, false}) {
                CamTermKernel kernel = new CamTermKernel(routing, Normalization.MIN_MAX, 1e-8);
                TermKernel.Input in = new TermKernel.Input(
                        last ? nhwc : nchw, last, w, b, targets, true, n, Nd4j::createUninitialized);
                // NHWC: the kernel's own choice, then each way of computing the maps forced
                for (String way : last ? new String[] {"auto", "all-class", "per-sample"} : new String[] {"auto"}) {
                    double[] us = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < calls; i++) {
                            try (MemoryWorkspace ws =
                                    Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, "CAM")) {
                                switch (way) {
                                    case "all-class" -> kernel.apply(in, new CamTermKernel.AllClassMaps(in));
                                    case "per-sample" -> kernel.apply(in, new CamTermKernel.PerSampleMaps(in));
                                    default -> kernel.apply(in);
                                }
                            }
                        }
                        us[r] = (System.nanoTime() - t0) / 1e3 / calls;
                    }
                    Arrays.sort(us);
                    System.out.printf(
                            Locale.ROOT,
                            "%s %s %s, %d classes: %.0f us per call (median of %d rounds; min %.0f max %.0f)%n",
                            routing,
                            last ? "NHWC" : "NCHW",
                            way,
                            k,
                            us[rounds / 2],
                            rounds,
                            us[0],
                            us[rounds - 1]);
                }
            }
        }
    }
}
