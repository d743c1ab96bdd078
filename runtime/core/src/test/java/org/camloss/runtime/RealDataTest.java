package org.camloss.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.camloss.datasets.FashionMnistDatasetFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short training on real Fashion-MNIST (CI installs Debian's dataset-fashion-mnist; where the files are
 * absent this test is skipped), with augmentation and a validation split.
 */
class RealDataTest {
    @Test
    void shortFashionMnistTrainingLearns(@TempDir Path tmp) {
        Assumptions.assumeTrue(
                Files.isDirectory(Path.of(FashionMnistDatasetFactory.DEBIAN_DIR)),
                "apt-get install dataset-fashion-mnist to run this test");
        Camloss camloss = Camloss.builder().runsRoot(tmp).build();
        Camloss.TrainResult r = camloss.train(
                camloss.config(
                        Map.of(
                                "name", "fmnist-short",
                                "data",
                                        Map.of(
                                                "id",
                                                "fashion-mnist",
                                                "params",
                                                Map.of(
                                                        "train_limit",
                                                        1280,
                                                        "test_limit",
                                                        500,
                                                        "validation",
                                                        256,
                                                        "mean",
                                                        "0.2860",
                                                        "std",
                                                        "0.3530",
                                                        "crop_padding",
                                                        2,
                                                        "flip",
                                                        true)),
                                "backbone", Map.of("id", "resnet-cifar", "params", Map.of("depth", 8)),
                                "loss", Map.of("id", "cam-loss"),
                                "train", Map.of("epochs", 3, "batch_size", 64, "progress", false)),
                        List.of()),
                null);
        Map<String, Object> last = r.summary().last();
        double acc = ((Number) last.get("test_accuracy")).doubleValue();
        assertTrue(acc > 0.4, "test accuracy after 3 short epochs is " + acc + " (chance 0.1)");
        assertTrue(last.containsKey("val_accuracy"), last.keySet().toString());
    }
}
