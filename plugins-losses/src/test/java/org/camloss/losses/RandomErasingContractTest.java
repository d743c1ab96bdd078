package org.camloss.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.camloss.api.ParamProblem;
import org.camloss.api.Params;
import org.camloss.api.Regularizer;
import org.camloss.api.RegularizerFactory;
import org.camloss.api.data.Batch;
import org.camloss.testkit.RegularizerContract;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code random-erasing}: the contract, the rectangle's area, ratio and fill, the rate and the rules. */
class RandomErasingContractTest extends RegularizerContract {
    @Override
    protected RegularizerFactory factory() {
        return new RandomErasingFactory();
    }

    @Override
    protected Map<String, Object> testParams() {
        return Map.of("probability", 1.0);
    }

    private static Regularizer erasing(Map<String, Object> params) {
        RandomErasingFactory f = new RandomErasingFactory();
        return f.create(Params.resolve(f.params(), params));
    }

    /**
     * With the mean fill on all-ones 32×40×2 images: each image has one zeroed rectangle in every channel, whose area
     * is within [s_l, s_h] of the image's (up to rounding each side to whole pixels) and whose rows/columns ratio is
     * within [r_1, 1/r_1] (up to the same rounding), smaller than the image on both sides.
     */
    @Test
    void erasesOneRectangleOfTheDrawnAreaAndRatio() {
        int n = 500;
        int h = 32;
        int w = 40;
        Batch out = erasing(Map.of("probability", 1.0, "value", "mean"))
                .apply(
                        new Batch(Nd4j.ones(DataType.FLOAT, n, h, w, 2), Nd4j.ones(DataType.FLOAT, n, 1)),
                        new Random(11));
        double smallest = 1;
        double largest = 0;
        for (int i = 0; i < n; i++) {
            INDArray img = out.features().slice(i);
            float[] v = img.dup().data().asFloat();
            int y1 = h;
            int y2 = -1;
            int x1 = w;
            int x2 = -1;
            int zeros = 0;
            for (int y = 0; y < h; y++) {
                for (int c = 0; c < w; c++) {
                    assertEquals(v[(y * w + c) * 2], v[(y * w + c) * 2 + 1], "channels differ");
                    if (v[(y * w + c) * 2] == 0) {
                        zeros++;
                        y1 = Math.min(y1, y);
                        y2 = Math.max(y2, y);
                        x1 = Math.min(x1, c);
                        x2 = Math.max(x2, c);
                    }
                }
            }
            int rows = y2 - y1 + 1;
            int cols = x2 - x1 + 1;
            assertEquals(rows * cols, zeros, "image " + i + ": the erased pixels are not one rectangle");
            assertTrue(rows < h && cols < w, "image " + i + ": rectangle as large as the image");
            // rounding each side by at most half a pixel
            double area = (double) zeros / (h * w);
            double lo = (Math.sqrt(0.02 * h * w * 0.3) - 0.5) * (Math.sqrt(0.02 * h * w / (1 / 0.3)) - 0.5) / (h * w);
            assertTrue(area >= Math.min(lo, 0.02) - 1e-9 && area <= 0.4 * 1.2, "image " + i + ": area " + area);
            double ratio = (double) rows / cols;
            assertTrue(ratio >= 0.3 * 0.6 && ratio <= 1 / 0.3 / 0.6, "image " + i + ": rows/columns " + ratio);
            smallest = Math.min(smallest, area);
            largest = Math.max(largest, area);
        }
        assertTrue(smallest < 0.06 && largest > 0.3, "areas should span [0.02, 0.4]: " + smallest + ".." + largest);
    }

    /** The random fill is normal(0, 1) per pixel and channel: mean about 0, variance about 1 over many pixels. */
    @Test
    void randomFillIsStandardNormal() {
        int n = 200;
        Batch out = erasing(Map.of("probability", 1.0, "value", "random"))
                .apply(
                        new Batch(Nd4j.valueArrayOf(new long[] {n, 16, 16, 3}, 100f), Nd4j.ones(DataType.FLOAT, n, 1)),
                        new Random(5));
        double sum = 0;
        double sq = 0;
        long count = 0;
        for (float f : out.features().dup().data().asFloat()) {
            if (f != 100f) {
                sum += f;
                sq += f * f;
                count++;
            }
        }
        assertTrue(count > 5000, "erased values: " + count);
        double mean = sum / count;
        assertEquals(0, mean, 4 / Math.sqrt(count));
        assertEquals(1, sq / count - mean * mean, 0.05);
    }

    /** With probability 0.25, about a quarter of 4000 images are erased (4 standard errors). */
    @Test
    void erasesAboutProbabilityOfTheImages() {
        int n = 4000;
        Batch out = erasing(Map.of("probability", 0.25, "value", "mean"))
                .apply(
                        new Batch(Nd4j.ones(DataType.FLOAT, n, 16, 16, 1), Nd4j.ones(DataType.FLOAT, n, 1)),
                        new Random(7));
        int erased = 0;
        for (int i = 0; i < n; i++) {
            erased += out.features().slice(i).minNumber().doubleValue() == 0 ? 1 : 0;
        }
        assertEquals(0.25, erased / (double) n, 4 * Math.sqrt(0.25 * 0.75 / n));
    }

    @Test
    void scaleMinMustNotExceedScaleMax() {
        RandomErasingFactory f = new RandomErasingFactory();
        Params p = Params.resolve(f.params(), Map.of("scale_min", 0.5, "scale_max", 0.2));
        assertEquals(
                List.of(new ParamProblem("scale_min", "must be at most scale_max (0.2), found 0.5")), f.validate(p));
        assertThrows(IllegalArgumentException.class, () -> f.create(p));
    }
}
