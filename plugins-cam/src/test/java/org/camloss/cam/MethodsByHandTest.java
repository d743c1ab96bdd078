package org.camloss.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.cam.Bilinear;
import org.camloss.api.cam.CamMethodFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each method against its definition written out as loops over a hand-made context, in double precision. */
class MethodsByHandTest {
    private DataType before;

    @BeforeEach
    void doublePrecision() {
        before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restore() {
        Nd4j.setDefaultDataTypes(before, before);
    }

    private static INDArray run(CamMethodFactory f, FixedContext ctx, Map<String, Object> params) {
        return f.create(Params.resolve(f.params(), params)).maps(ctx);
    }

    private static void assertMaps(double[][][] expected, INDArray actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            for (int y = 0; y < expected[i].length; y++) {
                for (int z = 0; z < expected[i][y].length; z++) {
                    assertEquals(expected[i][y][z], actual.getDouble(i, y, z), tol, "map " + i + " at " + y + "," + z);
                }
            }
        }
    }

    @Test
    void camIsTheTargetRowOfTheHeadTimesTheMap() {
        FixedContext c = new FixedContext(1);
        double[][][] e = new double[c.n][c.h][c.w];
        for (int i = 0; i < c.n; i++) {
            for (int y = 0; y < c.h; y++) {
                for (int z = 0; z < c.w; z++) {
                    for (int ch = 0; ch < c.c; ch++) {
                        e[i][y][z] += c.head[c.targets[i]][ch] * c.a[i][ch][y][z];
                    }
                }
            }
        }
        assertMaps(e, run(new CamFactory(), c, Map.of()), 1e-12);
    }

    @Test
    void caamIsTheChannelSum() {
        FixedContext c = new FixedContext(2);
        double[][][] e = new double[c.n][c.h][c.w];
        for (int i = 0; i < c.n; i++) {
            for (int y = 0; y < c.h; y++) {
                for (int z = 0; z < c.w; z++) {
                    for (int ch = 0; ch < c.c; ch++) {
                        e[i][y][z] += c.a[i][ch][y][z];
                    }
                }
            }
        }
        assertMaps(e, run(new CaamFactory(), c, Map.of()), 1e-12);
    }

    @Test
    void gradCamWeighsChannelsByTheirMeanGradient() {
        FixedContext c = new FixedContext(3);
        double[][][] e = new double[c.n][c.h][c.w];
        for (int i = 0; i < c.n; i++) {
            for (int ch = 0; ch < c.c; ch++) {
                double mean = 0;
                for (int y = 0; y < c.h; y++) {
                    for (int z = 0; z < c.w; z++) {
                        mean += c.g[i][ch][y][z] / (c.h * c.w);
                    }
                }
                for (int y = 0; y < c.h; y++) {
                    for (int z = 0; z < c.w; z++) {
                        e[i][y][z] += mean * c.a[i][ch][y][z];
                    }
                }
            }
            relu(e[i]);
        }
        assertMaps(e, run(new GradCamFactory(), c, Map.of()), 1e-12);
    }

    @Test
    void gradCamPlusPlusFollowsEquation19() {
        FixedContext c = new FixedContext(4);
        c.g[0][1][1][2] = 0; // a zero gradient: its pixel weight must be 0, not 0/eps
        double eps = 1e-6;
        double[][][] e = new double[c.n][c.h][c.w];
        for (int i = 0; i < c.n; i++) {
            for (int ch = 0; ch < c.c; ch++) {
                double sumA = 0;
                for (int y = 0; y < c.h; y++) {
                    for (int z = 0; z < c.w; z++) {
                        sumA += c.a[i][ch][y][z];
                    }
                }
                double weight = 0;
                for (int y = 0; y < c.h; y++) {
                    for (int z = 0; z < c.w; z++) {
                        double g = c.g[i][ch][y][z];
                        double alpha = g == 0 ? 0 : g * g / (2 * g * g + sumA * g * g * g + eps);
                        weight += alpha * Math.max(g, 0);
                    }
                }
                for (int y = 0; y < c.h; y++) {
                    for (int z = 0; z < c.w; z++) {
                        e[i][y][z] += weight * c.a[i][ch][y][z];
                    }
                }
            }
            relu(e[i]);
        }
        assertMaps(e, run(new GradCamPlusPlusFactory(), c, Map.of()), 1e-12);
    }

    @Test
    void layerCamWeighsEachActivationByItsPositiveGradient() {
        FixedContext c = new FixedContext(5);
        double[][][] e = new double[c.n][c.h][c.w];
        for (int i = 0; i < c.n; i++) {
            for (int y = 0; y < c.h; y++) {
                for (int z = 0; z < c.w; z++) {
                    for (int ch = 0; ch < c.c; ch++) {
                        e[i][y][z] += Math.max(c.g[i][ch][y][z], 0) * c.a[i][ch][y][z];
                    }
                }
            }
            relu(e[i]);
        }
        assertMaps(e, run(new LayerCamFactory(), c, Map.of()), 1e-12);
    }

    @Test
    void scoreCamWeighsChannelsByTheTargetsProbabilityForTheMaskedImage() {
        FixedContext c = new FixedContext(6);
        // a constant channel: the authors' code skips it (weight 0)
        for (int y = 0; y < c.h; y++) {
            for (int z = 0; z < c.w; z++) {
                c.a[1][2][y][z] = 0.7;
            }
        }
        double[][][] e = scoreCamByHand(c, true);
        INDArray maps = run(new ScoreCamFactory(), c, Map.of());
        assertMaps(e, maps, 1e-7); // masks and masked images are float, as the models' inputs
        assertEquals(c.n * c.c - 1, c.forwardPasses, "one forward pass per image and non-constant channel");
    }

    @Test
    void scoreCamChannelSoftmaxIsPytorchGradCamsWeighting() {
        FixedContext c = new FixedContext(7);
        assertMaps(
                scoreCamByHand(c, false), run(new ScoreCamFactory(), c, Map.of("weighting", "channel-softmax")), 1e-7);
        assertEquals(c.n * c.c, c.forwardPasses);
    }

    /** Score-CAM as loops: upsample, normalise, mask, score, weigh. */
    private static double[][][] scoreCamByHand(FixedContext c, boolean probability) {
        double[][][] e = new double[c.n][c.h][c.w];
        for (int i = 0; i < c.n; i++) {
            double[] alpha = new double[c.c];
            boolean[] skipped = new boolean[c.c];
            for (int ch = 0; ch < c.c; ch++) {
                float[] small = new float[c.h * c.w];
                for (int y = 0; y < c.h; y++) {
                    for (int z = 0; z < c.w; z++) {
                        small[y * c.w + z] = (float) c.a[i][ch][y][z];
                    }
                }
                float[] up = Bilinear.resize(small, c.h, c.w, c.imgH, c.imgW);
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (float u : up) {
                    min = Math.min(min, u);
                    max = Math.max(max, u);
                }
                if (probability && max == min) {
                    skipped[ch] = true;
                    continue;
                }
                double range = probability ? max - min : max - min + 1e-8;
                double[][][] masked = new double[c.imgH][c.imgW][c.imgC];
                for (int y = 0; y < c.imgH; y++) {
                    for (int z = 0; z < c.imgW; z++) {
                        double m = (float) ((up[y * c.imgW + z] - min) / range);
                        for (int q = 0; q < c.imgC; q++) {
                            masked[y][z][q] = (float) c.x[i][y][z][q] * (float) m;
                        }
                    }
                }
                double[] z = c.linearLogits(masked);
                alpha[ch] = probability ? softmax(z)[c.targets[i]] : z[c.targets[i]];
            }
            if (!probability) {
                alpha = softmax(alpha);
            }
            for (int ch = 0; ch < c.c; ch++) {
                if (skipped[ch]) {
                    continue;
                }
                for (int y = 0; y < c.h; y++) {
                    for (int z = 0; z < c.w; z++) {
                        e[i][y][z] += alpha[ch] * c.a[i][ch][y][z];
                    }
                }
            }
            relu(e[i]);
        }
        return e;
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            p[j] = Math.exp(z[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < z.length; j++) {
            p[j] /= sum;
        }
        return p;
    }

    private static void relu(double[][] m) {
        for (double[] row : m) {
            for (int j = 0; j < row.length; j++) {
                row[j] = Math.max(row[j], 0);
            }
        }
    }

    @Test
    void declaredParameters() {
        ParamSpec eps = new GradCamPlusPlusFactory().params().get(0);
        assertEquals("eps", eps.name());
        assertEquals(1e-6, eps.defaultValue());
        assertEquals("probability", new ScoreCamFactory().params().get(0).defaultValue());
    }
}
