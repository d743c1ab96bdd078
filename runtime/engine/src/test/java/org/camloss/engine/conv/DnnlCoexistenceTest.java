package org.camloss.engine.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.TreeSet;
import org.camloss.api.layers.ConvolutionBackward;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The presets' oneDNN ({@code libdnnl.so.2}) and the oneDNN linked statically into libnd4j work in one process: ND4J's
 * convolution (on libnd4j's oneDNN) is right before and after the presets' primitives run, the primitives' gradients
 * are right (against loops in Java), and only one OpenMP runtime is loaded (ND4J's {@code libgomp.so.1}; the presets'
 * own copy is not mapped), so both oneDNNs take their thread count from the same runtime.
 */
class DnnlCoexistenceTest {
    private static final int N = 3;
    private static final int H = 7;
    private static final int W = 6;
    private static final int CI = 3;
    private static final int CO = 4;
    private static final int K = 3;
    private static final int S = 2;

    private static List<String> mapped(String part) throws IOException {
        TreeSet<String> paths = new TreeSet<>();
        for (String line : Files.readAllLines(Paths.get("/proc/self/maps"))) {
            int i = line.indexOf('/');
            if (i >= 0 && line.substring(i).contains(part)) {
                paths.add(line.substring(i));
            }
        }
        return List.copyOf(paths);
    }

    private static INDArray nd4jForward(INDArray x, INDArray w) {
        INDArray y = Nd4j.create(DataType.FLOAT, N, 4, 3, CO);
        Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(x, w.permute(2, 3, 1, 0).dup('c'))
                .addOutputs(y)
                .addIntegerArguments(K, K, S, S, 0, 0, 1, 1, 1, 1, 0)
                .build());
        return y;
    }

    @Test
    void bothOneDnnsRunInOneProcessOnOneOpenMpRuntime() throws IOException {
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.FLOAT, N, H, W, CI);
        INDArray w = Nd4j.randn(DataType.FLOAT, CO, CI, K, K);
        INDArray dy = Nd4j.randn(DataType.FLOAT, N, 4, 3, CO);
        float[] xv = x.data().asFloat();
        float[] wv = w.data().asFloat();
        float[] dyv = dy.data().asFloat();
        // reference loops; Same padding as DL4J puts it: the smaller half of the total top/left
        int totalH = (4 - 1) * S + K - H;
        int totalW = (3 - 1) * S + K - W;
        int padTop = totalH / 2;
        int padLeft = totalW / 2;
        float[] y = new float[N * 4 * 3 * CO];
        float[] dx = new float[xv.length];
        float[] dw = new float[wv.length];
        float[] db = new float[CO];
        for (int n = 0; n < N; n++) {
            for (int oh = 0; oh < 4; oh++) {
                for (int ow = 0; ow < 3; ow++) {
                    for (int o = 0; o < CO; o++) {
                        int yi = ((n * 4 + oh) * 3 + ow) * CO + o;
                        db[o] += dyv[yi];
                        for (int i = 0; i < CI; i++) {
                            for (int a = 0; a < K; a++) {
                                for (int b = 0; b < K; b++) {
                                    int ih = oh * S + a - padTop;
                                    int iw = ow * S + b - padLeft;
                                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
                                        continue;
                                    }
                                    int xi = ((n * H + ih) * W + iw) * CI + i;
                                    int wi = ((o * CI + i) * K + a) * K + b;
                                    y[yi] += xv[xi] * wv[wi];
                                    dx[xi] += dyv[yi] * wv[wi];
                                    dw[wi] += dyv[yi] * xv[xi];
                                }
                            }
                        }
                    }
                }
            }
        }
        INDArray before = nd4jForward(x, w);
        assertClose(y, before.data().asFloat(), "ND4J conv2d before oneDNN's primitives");

        ConvolutionBackward.Plan plan = new DnnlConvolutionBackward()
                .plan(new ConvolutionBackward.Geometry(
                        N,
                        H,
                        W,
                        CI,
                        4,
                        3,
                        CO,
                        K,
                        K,
                        S,
                        S,
                        1,
                        1,
                        padTop,
                        padLeft,
                        totalH - padTop,
                        totalW - padLeft,
                        true))
                .orElseThrow();
        INDArray gx = Nd4j.create(DataType.FLOAT, N, H, W, CI);
        INDArray gw = Nd4j.create(DataType.FLOAT, CO, CI, K, K);
        INDArray gb = Nd4j.create(DataType.FLOAT, 1, CO);
        INDArray scratch = plan.scratchLength() > 0 ? Nd4j.create(DataType.FLOAT, plan.scratchLength()) : null;
        plan.backward(x, w, dy, gx, gw, gb, scratch);
        assertClose(dx, gx.data().asFloat(), "input gradient (" + plan.describe() + ")");
        assertClose(dw, gw.data().asFloat(), "weight gradient");
        assertClose(db, gb.data().asFloat(), "bias gradient");

        INDArray after = nd4jForward(x, w);
        assertEquals(before, after, "ND4J conv2d after oneDNN's primitives");

        List<String> gomp = mapped("libgomp");
        assertEquals(1, gomp.size(), "one OpenMP runtime mapped: " + gomp);
        assertTrue(gomp.get(0).contains("nd4j-native"), "ND4J's libgomp: " + gomp);
        assertEquals(1, mapped("libdnnl.so.2").size(), "the presets' oneDNN is mapped");
        assertEquals(1, mapped("libnd4jcpu.so").size(), "libnd4j is mapped");
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1e-3;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(diff <= 1e-5 * scale, what + ": max |difference| " + diff + " against max |value| " + scale);
    }
}
