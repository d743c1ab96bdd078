package org.camloss.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.camloss.api.NetworkRegularization;
import org.camloss.api.ResidualDrop;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ResidualBranchVertex}: drop and perturbation rates measured over many samples, inference deterministic and
 * equal to the training factor's expectation, ShakeDrop's backward factor, masks fixed within a step, survival per
 * block, and its JSON form.
 */
class ResidualBranchVertexTest {
    private static final int N = 4000;

    /** A graph {@code (branch, shortcut) -> res} on 2×2×3 maps. */
    private static ComputationGraph graph(ResidualBranchVertex vertex, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.DOUBLE)
                .graphBuilder()
                .addInputs("branch", "shortcut")
                .setInputTypes(
                        InputType.convolutional(2, 2, 3, CNN2DFormat.NHWC),
                        InputType.convolutional(2, 2, 3, CNN2DFormat.NHWC))
                .addVertex("res", vertex, "branch", "shortcut")
                .setOutputs("res")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Forward and backward of the vertex alone with branch 1, shortcut 0 and incoming gradient 1: {s, s_backward}. */
    private static double[][] factors(ComputationGraph g, boolean training) {
        GraphVertex v = g.getVertex("res");
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        v.setInput(0, Nd4j.ones(DataType.DOUBLE, N, 2, 2, 3), mgr);
        v.setInput(1, Nd4j.zeros(DataType.DOUBLE, N, 2, 2, 3), mgr);
        INDArray out = v.doForward(training, mgr);
        double[] forward = new double[N];
        for (int i = 0; i < N; i++) {
            forward[i] = out.getDouble(i, 1, 0, 2);
            assertEquals(
                    out.slice(i).minNumber().doubleValue(),
                    out.slice(i).maxNumber().doubleValue(),
                    0,
                    "one factor per sample");
        }
        if (!training) {
            return new double[][] {forward, null};
        }
        v.setEpsilon(Nd4j.ones(DataType.DOUBLE, N, 2, 2, 3));
        Pair<Gradient, INDArray[]> back = v.doBackward(false, mgr);
        double[] backward = new double[N];
        for (int i = 0; i < N; i++) {
            backward[i] = back.getSecond()[0].getDouble(i, 0, 1, 1);
            assertEquals(1.0, back.getSecond()[1].getDouble(i, 0, 1, 1), 0, "the shortcut gets the gradient as it is");
        }
        return new double[][] {forward, backward};
    }

    private static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    /** 4 standard errors of a proportion p over N draws. */
    private static double tolerance(double p) {
        return 4 * Math.sqrt(p * (1 - p) / N);
    }

    @Test
    void stochasticDepthKeepsAboutSurvivalOfTheBranchesAndScalesThemAtInference() {
        double p = 0.7;
        ComputationGraph g = graph(new ResidualBranchVertex(ResidualDrop.stochasticDepth(0.5), p, false), 3);
        double[][] f = factors(g, true);
        int kept = 0;
        for (int i = 0; i < N; i++) {
            assertTrue(f[0][i] == 0 || f[0][i] == 1, "a branch is kept whole or dropped: " + f[0][i]);
            assertEquals(f[0][i], f[1][i], 0, "stochastic depth's gradient follows the forward mask");
            kept += (int) f[0][i];
        }
        assertEquals(p, kept / (double) N, tolerance(p), "kept share");
        double[] inference = factors(g, false)[0];
        for (double s : inference) {
            assertEquals(p, s, 1e-12, "inference scales the branch by its survival");
        }
        assertEquals(p, mean(f[0]), tolerance(p), "inference equals the training expectation");
    }

    @Test
    void shakeDropPerturbsForwardWithAlphaAndBackwardWithBeta() {
        double p = 0.6;
        ResidualDrop drop = ResidualDrop.shakeDrop(0.5, -1.0, -0.5, 2.0, 3.0);
        ComputationGraph g = graph(new ResidualBranchVertex(drop, p, false), 4);
        double[][] f = factors(g, true);
        int kept = 0;
        double alphaSum = 0;
        double betaSum = 0;
        for (int i = 0; i < N; i++) {
            if (f[0][i] == 1) {
                kept++;
                assertEquals(1.0, f[1][i], 0, "b = 1: the backward factor is 1 too");
            } else {
                assertTrue(
                        f[0][i] >= -1.0 && f[0][i] <= -0.5, "b = 0: forward factor α in [-1, -0.5], found " + f[0][i]);
                assertTrue(f[1][i] >= 2.0 && f[1][i] <= 3.0, "b = 0: backward factor β in [2, 3], found " + f[1][i]);
                alphaSum += f[0][i];
                betaSum += f[1][i];
            }
        }
        assertEquals(p, kept / (double) N, tolerance(p), "share with b = 1");
        assertEquals(-0.75, alphaSum / (N - kept), 0.02, "α uniform on [-1, -0.5]");
        assertEquals(2.5, betaSum / (N - kept), 0.04, "β uniform on [2, 3]");
        double expectation = p + (1 - p) * -0.75;
        assertEquals(expectation, drop.inferenceScale(p), 1e-12);
        for (double s : factors(g, false)[0]) {
            assertEquals(expectation, s, 1e-12, "inference: E[b + α − bα]");
        }
        assertEquals(expectation, mean(f[0]), 0.02, "the training factors' mean is the inference factor");
    }

    @Test
    void reluAfterTheSumMasksTheGradient() {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray branch = Nd4j.createFromArray(new double[] {1, -3, 2, -1}).reshape(1, 2, 2, 1);
        INDArray shortcut = Nd4j.createFromArray(new double[] {1, 1, -5, 0.5}).reshape(1, 2, 2, 1);
        GraphVertex v = graph1(5).getVertex("res");
        v.setInput(0, branch, mgr);
        v.setInput(1, shortcut, mgr);
        INDArray out = v.doForward(true, mgr);
        assertEquals(Nd4j.createFromArray(new double[] {2, 0, 0, 0}).reshape(1, 2, 2, 1), out);
        v.setEpsilon(Nd4j.ones(DataType.DOUBLE, 1, 2, 2, 1));
        INDArray[] grads = v.doBackward(false, mgr).getSecond();
        assertEquals(Nd4j.createFromArray(new double[] {1, 0, 0, 0}).reshape(1, 2, 2, 1), grads[0]);
        assertEquals(Nd4j.createFromArray(new double[] {1, 0, 0, 0}).reshape(1, 2, 2, 1), grads[1]);
    }

    /** A one-channel 2×2 graph with a ReLU vertex that always keeps its branch. */
    private static ComputationGraph graph1(long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.DOUBLE)
                .graphBuilder()
                .addInputs("branch", "shortcut")
                .setInputTypes(
                        InputType.convolutional(2, 2, 1, CNN2DFormat.NHWC),
                        InputType.convolutional(2, 2, 1, CNN2DFormat.NHWC))
                .addVertex(
                        "res",
                        new ResidualBranchVertex(ResidualDrop.stochasticDepth(0.5), 1.0, true),
                        "branch",
                        "shortcut")
                .setOutputs("res")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void masksAreFixedWithinAStepAndChangeWithTheStepAndTheSeed() {
        ResidualBranchVertex v = new ResidualBranchVertex(ResidualDrop.stochasticDepth(0.5), 0.5, false);
        ComputationGraph g = graph(v, 7);
        double[] a = factors(g, true)[0];
        double[] b = factors(g, true)[0];
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b), "two passes of one step");
        g.getConfiguration().setIterationCount(1);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(factors(g, true)[0]), "next step");
        ComputationGraph other = graph(v.clone(), 8);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(factors(other, true)[0]), "other seed");
        ComputationGraph same = graph(v.clone(), 7);
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(factors(same, true)[0]), "same seed");
    }

    /** Layers.residual gives block l of L the survival 1 − (l / L)(1 − p_L), and plain sums without a treatment. */
    @Test
    void survivalDecaysLinearlyOverTheBlocks() {
        ComputationGraphConfiguration.GraphBuilder g =
                new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in");
        Layers l = new Layers(g, CNN2DFormat.NHWC, NetworkRegularization.residual(ResidualDrop.stochasticDepth(0.5)));
        List<Double> survival = new ArrayList<>();
        for (int b = 1; b <= 4; b++) {
            l.residual("add" + b, "in", "in", b % 2 == 0, b, 4);
            ResidualBranchVertex v = (ResidualBranchVertex) g.getVertices().get("add" + b);
            survival.add(v.getSurvival());
            assertEquals(b % 2 == 0, v.isRelu());
        }
        assertEquals(List.of(0.875, 0.75, 0.625, 0.5), survival);
        Layers plain = new Layers(g, CNN2DFormat.NHWC);
        plain.residual("plain_relu", "in", "in", true, 1, 4);
        plain.residual("plain_add", "in", "in", false, 1, 4);
        assertTrue(g.getVertices().get("plain_relu") instanceof AddReluVertex);
        assertTrue(g.getVertices().get("plain_add") instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex);
    }

    @Test
    void survivesJson() {
        ResidualBranchVertex v = new ResidualBranchVertex(ResidualDrop.shakeDrop(0.5, -1, 1, 0, 1), 0.625, true);
        ComputationGraphConfiguration conf = graph(v, 1).getConfiguration();
        String json = conf.toJson();
        assertTrue(json.contains("org.camloss.api.layers.ResidualBranchVertex"), json);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(v, back.getVertices().get("res"));
        assertEquals(0.625, ((ResidualBranchVertex) back.getVertices().get("res")).inferenceScale(), 1e-12);
    }
}
