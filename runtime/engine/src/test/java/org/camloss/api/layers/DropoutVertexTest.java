package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link DropoutVertex}: drop rates of whole channels and of units over many samples, the 1 / (1 − p) scaling, the
 * identity at inference (the training expectation), the backward mask, and its JSON form.
 */
class DropoutVertexTest {
    private static final int N = 1000;
    private static final int H = 3;
    private static final int W = 2;
    private static final int C = 8;

    private static GraphVertex vertex(DropoutVertex conf, long seed) {
        ComputationGraphConfiguration gc = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.DOUBLE)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(H, W, C, CNN2DFormat.NHWC))
                .addVertex("drop", conf, "in")
                .setOutputs("drop")
                .build();
        ComputationGraph g = new ComputationGraph(gc);
        g.init();
        return g.getVertex("drop");
    }

    @Test
    void dropsWholeChannelsOfEachSampleAtRateP() {
        double p = 0.3;
        GraphVertex v = vertex(new DropoutVertex(p, true, true), 1);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        v.setInput(0, Nd4j.ones(DataType.DOUBLE, N, H, W, C), mgr);
        INDArray out = v.doForward(true, mgr);
        int dropped = 0;
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                double first = out.getDouble(n, 0, 0, c);
                assertTrue(first == 0 || Math.abs(first - 1 / (1 - p)) < 1e-12, "kept channels are scaled: " + first);
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        assertEquals(first, out.getDouble(n, y, x, c), 0, "a channel is dropped whole");
                    }
                }
                dropped += first == 0 ? 1 : 0;
            }
        }
        double rate = dropped / (double) (N * C);
        assertEquals(p, rate, 4 * Math.sqrt(p * (1 - p) / (N * C)));
        assertEquals(1.0, out.meanNumber().doubleValue(), 0.02, "the training output's mean is the input");
        v.setEpsilon(Nd4j.ones(DataType.DOUBLE, N, H, W, C));
        INDArray grad = v.doBackward(false, mgr).getSecond()[0];
        assertEquals(out, grad, "the gradient passes the kept, scaled channels only");
        INDArray inference = v.doForward(false, mgr);
        assertEquals(Nd4j.ones(DataType.DOUBLE, N, H, W, C), inference, "inference is the identity");
    }

    @Test
    void dropsSingleUnitsAtRateP() {
        double p = 0.5;
        GraphVertex v = vertex(new DropoutVertex(p, false, true), 2);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        v.setInput(0, Nd4j.ones(DataType.DOUBLE, N, H, W, C), mgr);
        INDArray out = v.doForward(true, mgr);
        long zeros = out.eq(0).castTo(DataType.INT32).sumNumber().longValue();
        long twos = out.eq(2).castTo(DataType.INT32).sumNumber().longValue();
        assertEquals(out.length(), zeros + twos, "units are 0 or 1 / (1 - p)");
        long units = out.length();
        assertEquals(p, zeros / (double) units, 4 * Math.sqrt(p * (1 - p) / units));
        // not whole channels: some channel of some sample has both
        boolean mixed = false;
        for (int n = 0; n < 20 && !mixed; n++) {
            INDArray ch = out.get(
                    org.nd4j.linalg.indexing.NDArrayIndex.point(n),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0));
            mixed = ch.minNumber().doubleValue() == 0 && ch.maxNumber().doubleValue() == 2;
        }
        assertTrue(mixed, "single units are dropped, not whole channels");
    }

    @Test
    void survivesJson() {
        DropoutVertex conf = new DropoutVertex(0.25, true, false);
        ComputationGraphConfiguration gc = new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(H, W, C, CNN2DFormat.NCHW))
                .addVertex("drop", conf, "in")
                .setOutputs("drop")
                .build();
        String json = gc.toJson();
        assertTrue(json.contains("org.camloss.api.layers.DropoutVertex"), json);
        assertEquals(
                conf, ComputationGraphConfiguration.fromJson(json).getVertices().get("drop"));
    }
}
