package org.camloss.runtime.train;

import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.camloss.api.data.Augmentation;

/**
 * Prepares the next training batch (pixels read from the split and augmented) on a background thread while the
 * current step runs; each batch's augmentation draws come from its own seed, whatever the timing.
 */
final class BatchLoader implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "camloss-batch-loader");
        t.setDaemon(true);
        return t;
    });
    private final Batches batches;
    private final Augmentation augmentation;
    private final long seed;
    private int epoch;
    private int[] order;
    private Future<float[]> next;

    BatchLoader(Batches batches, Augmentation augmentation, long seed) {
        this.batches = batches;
        this.augmentation = augmentation;
        this.seed = seed;
    }

    /**
     * Starts an epoch at batch {@code first} (0, or where an interrupted run stopped) in {@code order}, and loads that
     * batch. Each batch is augmented with its own generator ({@link Seeds}), so skipping batches changes nothing.
     */
    void startEpoch(int epoch, int[] order, int first) {
        this.epoch = epoch;
        this.order = order;
        this.next = first < batches.count() ? submit(first) : null;
    }

    /**
     * The pixels of batch {@code b} (n·H·W·C floats, NHWC, augmented), and starts loading batch {@code b + 1}.
     *
     * @throws TrainingCancelledException when the thread is interrupted while waiting
     */
    float[] take(int b) {
        float[] pixels = await(next);
        next = b + 1 < batches.count() ? submit(b + 1) : null;
        return pixels;
    }

    private Future<float[]> submit(int b) {
        int[] o = order;
        Random rng = new Random(Seeds.of(seed, epoch, b, Seeds.AUGMENTATION));
        return thread.submit(() -> {
            int[] idx = batches.indices(o, b);
            float[] pixels = batches.pixels(idx);
            batches.augment(pixels, idx.length, augmentation, rng);
            return pixels;
        });
    }

    private static float[] await(Future<float[]> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingCancelledException("interrupted while loading a batch");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("loading a batch failed", e.getCause());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
