package org.camloss.runtime.train;

import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.camloss.api.data.Augmentation;

/**
 * Prepares the next training batch (pixels read from the split and augmented) on a background thread while the
 * current step runs, in batch order, so an epoch's augmentation draws are the same whatever the timing.
 */
final class BatchLoader implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "camloss-batch-loader");
        t.setDaemon(true);
        return t;
    });
    private final Batches batches;
    private final Augmentation augmentation;
    private int[] order;
    private Random augRng;
    private Future<float[]> next;

    BatchLoader(Batches batches, Augmentation augmentation) {
        this.batches = batches;
        this.augmentation = augmentation;
    }

    /** Starts an epoch: the example order and the augmentation generator, and loads its first batch. */
    void startEpoch(int[] order, Random augRng) {
        this.order = order;
        this.augRng = augRng;
        this.next = submit(0);
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
        Random rng = augRng;
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
