package org.camloss.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camloss.runtime.Camloss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch size larger than the training set is not an error: each epoch is one step on every training image (as
 * PyTorch's {@code DataLoader} with {@code drop_last=False}), which the run's start line shows as "x 1 batches".
 */
class BatchLargerThanDataTest {
    @TempDir
    Path tmp;

    @Test
    void eachEpochIsOneStepOnTheWholeTrainingSet() {
        List<RunInfo> starts = new ArrayList<>();
        List<BatchStats> steps = new ArrayList<>();
        Camloss camloss = Camloss.builder()
                .listener(new TrainListener() {
                    @Override
                    public void onRunStart(RunInfo info) {
                        starts.add(info);
                    }

                    @Override
                    public void onBatchEnd(BatchStats stats) {
                        steps.add(stats);
                    }
                })
                .runsRoot(tmp)
                .build();
        Map<String, Object> config = Map.of(
                "name", "big-batch",
                "data", Map.of("id", "shapes", "params", Map.of("train", 20, "test", 8, "size", 16)),
                "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8, "width", 0.5)),
                "loss", Map.of("id", "cross-entropy"),
                "train", Map.of("epochs", 2, "batch_size", 64, "progress", false));
        camloss.train(camloss.config(config, List.of()), null);
        assertEquals(1, starts.size());
        assertEquals(1, starts.get(0).batchesPerEpoch());
        assertEquals(20, starts.get(0).trainSize());
        assertEquals(2, steps.size(), "one step per epoch");
        assertEquals(List.of(1, 1), steps.stream().map(BatchStats::batches).toList());
    }

    @Test
    void theLastBatchHoldsTheRemainder() {
        Batches twenty = new Batches(new Split(20), null, 4, 64);
        assertEquals(1, twenty.count());
        assertEquals(20, twenty.indices(twenty.inOrder(), 0).length);
        Batches sixtyFive = new Batches(new Split(65), null, 4, 64);
        assertEquals(2, sixtyFive.count());
        assertEquals(1, sixtyFive.indices(sixtyFive.inOrder(), 1).length);
    }

    /** A split of n examples (only its size is used). */
    private record Split(int n) implements org.camloss.api.data.DataSplit {
        @Override
        public int size() {
            return n;
        }

        @Override
        public int label(int i) {
            return 0;
        }

        @Override
        public void image(int i, float[] out, int offset) {}
    }
}
