package org.camloss.runtime.eval;

import java.util.Arrays;
import org.camloss.api.cam.Bilinear;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Accumulates {@link Localization} scores of CAAMs and target CAMs over batches and gives their means.
 *
 * <p>Maps are raw (un-normalised) at map resolution {@code [N, h, w]}; masks are at image resolution, laid out
 * as {@link org.camloss.api.data.DataSplit#mask} writes them: N consecutive row-major {@code height × width}
 * blocks. Not thread-safe.
 */
public final class LocalizationAccumulator {
    private long count;
    private long caamHits;
    private double caamEnergy;
    private double caamIou;
    private long camHits;
    private double camEnergy;
    private double camIou;

    /** An empty accumulator. */
    public LocalizationAccumulator() {}

    /**
     * Adds a batch of ND4J maps.
     *
     * @param caam   CAAMs [N, h, w]
     * @param cam    target CAMs [N, h, w]
     * @param masks  N·height·width target masks
     * @param height mask rows
     * @param width  mask columns
     */
    public void add(INDArray caam, INDArray cam, boolean[] masks, int height, int width) {
        if (caam.rank() != 3 || cam.rank() != 3) {
            throw new IllegalArgumentException("localization: maps must be [N, h, w], found caam "
                    + Arrays.toString(caam.shape()) + " and cam " + Arrays.toString(cam.shape()));
        }
        if (!Arrays.equals(caam.shape(), cam.shape())) {
            throw new IllegalArgumentException("localization: caam and cam shapes differ: "
                    + Arrays.toString(caam.shape()) + " vs " + Arrays.toString(cam.shape()));
        }
        int n = (int) caam.size(0);
        int h = (int) caam.size(1);
        int w = (int) caam.size(2);
        add(flat(caam), flat(cam), n, h, w, masks, height, width);
    }

    /**
     * Adds a batch of maps given as row-major float arrays.
     *
     * @param caam   N·h·w CAAM values
     * @param cam    N·h·w target-CAM values
     * @param n      images in the batch
     * @param h      map rows
     * @param w      map columns
     * @param masks  N·height·width target masks
     * @param height mask rows
     * @param width  mask columns
     */
    public void add(float[] caam, float[] cam, int n, int h, int w, boolean[] masks, int height, int width) {
        int mapLen = h * w;
        int maskLen = height * width;
        if (caam.length != n * mapLen || cam.length != n * mapLen) {
            throw new IllegalArgumentException("localization: maps must hold N*h*w = " + n * mapLen
                    + " values, found caam " + caam.length + " and cam " + cam.length);
        }
        if (masks.length < n * maskLen) {
            throw new IllegalArgumentException(
                    "localization: masks must hold N*height*width = " + n * maskLen + " values, found " + masks.length);
        }
        float[] up = new float[maskLen];
        for (int i = 0; i < n; i++) {
            Bilinear.resize(caam, i * mapLen, h, w, up, 0, height, width);
            Localization.Score a = Localization.scoreResized(up, masks, i * maskLen);
            Bilinear.resize(cam, i * mapLen, h, w, up, 0, height, width);
            Localization.Score c = Localization.scoreResized(up, masks, i * maskLen);
            addScores(a, c);
        }
    }

    /** Adds one image's already computed scores. */
    public void addScores(Localization.Score caamScore, Localization.Score camScore) {
        count++;
        caamHits += caamScore.hit() ? 1 : 0;
        caamEnergy += caamScore.energy();
        caamIou += caamScore.iou();
        camHits += camScore.hit() ? 1 : 0;
        camEnergy += camScore.energy();
        camIou += camScore.iou();
    }

    /** Number of images added so far. */
    public long count() {
        return count;
    }

    /** The means so far; NaN metrics when nothing was added. */
    public LocalizationSummary summary() {
        double n = count;
        return new LocalizationSummary(
                count,
                new LocalizationSummary.Metrics(caamHits / n, caamEnergy / n, caamIou / n),
                new LocalizationSummary.Metrics(camHits / n, camEnergy / n, camIou / n));
    }

    private static float[] flat(INDArray a) {
        return Nd4j.toFlattened('c', a.castTo(DataType.FLOAT)).toFloatVector();
    }
}
